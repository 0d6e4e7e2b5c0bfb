"""``facerec attendance``, ``absentees`` and ``report``: attendance from the command line."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import typer

from facerec.cli.common import (
    app,
    domain_errors,
    load_settings,
    print_json,
    read_bytes,
    with_database,
    with_recognizer,
)
from facerec.domain import AttendanceSource, AttendanceStatus

DATE_FORMATS = ["%Y-%m-%d"]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@app.command()
def attendance(
    photo: Path,
    class_name: str | None = typer.Option(None, "--class", help="The class; decides absentees"),
    session: str | None = typer.Option(None, help="Session id (default: the whole day)"),
    on: datetime | None = typer.Option(None, "--date", formats=DATE_FORMATS, help="Default today"),
    source: AttendanceSource = typer.Option(AttendanceSource.PHOTO, help="photo or kiosk"),
    threshold: float | None = typer.Option(None, help="Override the threshold"),
) -> None:
    """Mark everyone recognised in PHOTO present (as POST /v1/attendance; prints its JSON)."""
    from facerec.service import attendance as service
    from facerec.views import AttendanceResponse

    with domain_errors():
        chosen = service.attendance_session(
            load_settings(), on=_day(on), session_id=session, class_name=class_name
        )
    data = read_bytes(photo)
    result = with_recognizer(
        service.take_attendance,
        image=data,
        attendance=chosen,
        source=source,
        threshold=threshold,
        client="cli",
    )
    print_json(AttendanceResponse.of(result).model_dump(mode="json"))


@app.command()
def absentees(
    class_name: str = typer.Option(..., "--class", help="The class"),
    session: str | None = typer.Option(None, help="Session id (default: the whole day)"),
    on: datetime | None = typer.Option(None, "--date", formats=DATE_FORMATS, help="Default today"),
) -> None:
    """The active students of a class not marked present (as GET /v1/attendance/absentees)."""
    from facerec.service import attendance as service
    from facerec.service import reports
    from facerec.views import Absentee, AbsenteeList, AttendanceSession

    with domain_errors():
        chosen = service.attendance_session(
            load_settings(), on=_day(on), session_id=session, class_name=class_name
        )
    found = with_database(reports.absentees, attendance=chosen)
    print_json(
        AbsenteeList(
            session=AttendanceSession.of(chosen), absentees=[Absentee.of(a) for a in found]
        ).model_dump(mode="json")
    )


@app.command()
def report(
    date_from: datetime | None = typer.Option(None, "--from", formats=DATE_FORMATS),
    date_to: datetime | None = typer.Option(None, "--to", formats=DATE_FORMATS),
    class_name: str | None = typer.Option(None, "--class"),
    session: str | None = typer.Option(None),
    student: str | None = typer.Option(None, help="One student's records"),
    teacher: str | None = typer.Option(None, help="One teacher's records"),
    status: AttendanceStatus | None = typer.Option(None),
    output_format: str = typer.Option("csv", "--format", help="csv or json"),
    out: Path | None = typer.Option(None, help="Write to this file instead of stdout"),
) -> None:
    """Attendance records in a date range: the CSV of GET /v1/attendance/export.csv, or JSON."""
    from facerec.service import export, reports
    from facerec.views import Record

    if output_format not in ("csv", "json"):
        typer.echo("error [invalid_input]: --format is csv or json", err=True)
        raise typer.Exit(2)
    if student is not None and teacher is not None:
        typer.echo("error [invalid_input]: give --student or --teacher, not both", err=True)
        raise typer.Exit(2)
    with domain_errors():
        filters = reports.record_filters(
            date_from=_day(date_from),
            date_to=_day(date_to),
            class_name=class_name,
            session_id=session,
            person_type="student" if student else "teacher" if teacher else None,
            person_id=student or teacher,
            status=status,
        )
    found = with_database(reports.export_records, filters=filters)
    if output_format == "csv":
        text = "".join(export.csv_lines(found))
    else:
        import json

        text = json.dumps([Record.of(r).model_dump(mode="json") for r in found], indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(found)} records written to {out}", err=True)
