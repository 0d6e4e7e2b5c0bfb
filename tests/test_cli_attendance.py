"""``facerec attendance``, ``report`` and ``absentees`` on SQLite and on MariaDB: the records they
print are the database's, and the same as the API's for the same data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from facerec.config import Settings
from facerec.store.tables import AttendanceRecords, FaceRecognitionLogs
from tests.conftest import CliResult, Facedata, Facerec, make_settings, rows, run_cli, start_app

DAY = "2026-11-26"
TWO_PEOPLE = "face_recognition/examples/two_people.jpg"  # Obama on the left, Biden on the right


def stored_ids(settings: Settings) -> list[int]:
    """The AttendanceRecords ids in the report's order (date, session, person)."""
    ordered = select(AttendanceRecords.RecordID).order_by(
        AttendanceRecords.AttendanceDate, AttendanceRecords.SessionID, AttendanceRecords.PersonKey
    )
    return [row.RecordID for row in rows(settings, ordered)]


def present(result: CliResult) -> list[tuple[str, str]]:
    assert result.exit_code == 0, result.stderr
    body: dict[str, Any] = json.loads(result.stdout)
    return sorted((p["person_id"], p["marked"]) for p in body["present"])


def test_attendance_from_the_command_line_and_its_reports(
    facerec: Facerec, settings: Settings, facedata: Facedata, tmp_path: Path
) -> None:
    """``settings`` (conftest's) are the command line's."""
    photos = facedata.path("face_recognition/tests/test_images")
    for photo, person_id, name in [
        ("obama.jpg", "S-OB", "Barack Obama"),
        ("biden.jpg", "S-JB", "Joe Biden"),
    ]:
        enrolled = facerec(
            "enroll", photos / photo, "--student", person_id, "--name", name, "--class", "5A"
        )
        assert enrolled.exit_code == 0, enrolled.stderr

    group = facedata.path(TWO_PEOPLE)
    first = facerec("attendance", group, "--class", "5A", "--date", DAY)
    assert present(first) == [("S-JB", "new"), ("S-OB", "new")]
    assert json.loads(first.stdout)["session"] == {
        "date": DAY,
        "session_id": "",
        "class_name": "5A",
    }
    again = facerec("attendance", group, "--class", "5A", "--date", DAY)
    assert present(again) == [("S-JB", "already_present"), ("S-OB", "already_present")]
    assert len(stored_ids(settings)) == 2
    other = facerec("attendance", group, "--date", "2026-11-27", "--session", "p1")
    assert present(other) == [("S-JB", "new"), ("S-OB", "new")]
    assert len(stored_ids(settings)) == 4

    # The same data through the API: the class given by `enroll --class`, one more student, and
    # what it exports.
    with TestClient(start_app(settings)) as client:
        for person_id in ("S-OB", "S-JB"):
            assert client.get(f"/v1/students/{person_id}").json()["class_name"] == "5A"
        assert client.post(
            "/v1/students", json={"person_id": "S-CX", "name": "Chris", "class_name": "5A"}
        ).is_success
        api_csv = client.get(f"/v1/attendance/export.csv?from={DAY}&to={DAY}").content
        api_all_csv = client.get("/v1/attendance/export.csv").content
        api_records = client.get(f"/v1/attendance?from={DAY}&to={DAY}").json()["items"]

    report = facerec("report", "--from", DAY, "--to", DAY, "--format", "csv")
    assert report.exit_code == 0, report.stderr
    assert report.stdout == api_csv.decode().replace("\r\n", "\n")  # text mode reads \r\n as \n
    lines = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [int(line["record_id"]) for line in lines] == stored_ids(settings)[:2]
    assert [(line["person_id"], line["status"], line["class_name"]) for line in lines] == [
        ("S-JB", "present", "5A"),
        ("S-OB", "present", "5A"),
    ]
    as_json = facerec("report", "--from", DAY, "--to", DAY, "--format", "json")
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout) == api_records

    out = tmp_path / "attendance.csv"
    written = facerec("report", "--out", out)
    assert written.exit_code == 0, written.stderr
    assert written.stdout == "" and "4 records written" in written.stderr
    assert out.read_bytes() == api_all_csv
    with out.open(newline="") as handle:
        assert [int(line["record_id"]) for line in csv.DictReader(handle)] == stored_ids(settings)

    one = facerec("report", "--student", "S-OB", "--format", "json")
    assert [(r["person_id"], r["date"]) for r in json.loads(one.stdout)] == [
        ("S-OB", DAY),
        ("S-OB", "2026-11-27"),
    ]

    absent = facerec("absentees", "--class", "5A", "--date", DAY)
    assert absent.exit_code == 0, absent.stderr
    assert json.loads(absent.stdout) == {
        "session": {"date": DAY, "session_id": "", "class_name": "5A"},
        "absentees": [{"person_id": "S-CX", "name": "Chris", "class_name": "5A", "status": None}],
    }
    later = facerec("absentees", "--class", "5A", "--date", DAY, "--session", "p2")
    assert [a["person_id"] for a in json.loads(later.stdout)["absentees"]] == [
        "S-CX",
        "S-JB",
        "S-OB",
    ]


def test_attendance_commands_refuse_bad_input(tmp_path: Path, facedata: Facedata) -> None:
    """On SQLite only: nothing here depends on the database."""
    settings = make_settings(tmp_path)
    bad_format = run_cli(settings, "report", "--format", "xml")
    assert bad_format.exit_code == 2 and "invalid_input" in bad_format.stderr
    both = run_cli(settings, "report", "--student", "S-1", "--teacher", "T-1")
    assert both.exit_code == 2 and "invalid_input" in both.stderr
    backwards = run_cli(settings, "report", "--from", "2026-11-27", "--to", "2026-11-26")
    assert backwards.exit_code == 2 and "invalid_input" in backwards.stderr
    not_a_date = run_cli(settings, "report", "--from", "2026-13-40")
    assert not_a_date.exit_code == 2 and "Traceback" not in not_a_date.stderr
    no_class = run_cli(settings, "absentees", "--class", " ")
    assert no_class.exit_code == 2 and "invalid_input" in no_class.stderr

    group = facedata.path(TWO_PEOPLE)
    bad_session = run_cli(settings, "attendance", group, "--session", "../x")
    assert bad_session.exit_code == 2 and "invalid_input" in bad_session.stderr
    manual = run_cli(settings, "attendance", group, "--source", "manual")
    assert manual.exit_code == 2 and "invalid_input" in manual.stderr
    broken = facedata.path(
        next(r["file"] for r in facedata.with_identity("INVALID") if "truncated" in r["file"])
    )
    result = run_cli(settings, "attendance", broken, "--class", "5A")
    assert result.exit_code == 3 and "corrupt_image" in result.stderr
    assert stored_ids(settings) == []
    logged = rows(settings, select(FaceRecognitionLogs))
    assert [(r.Operation, r.Result, r.Client) for r in logged] == [
        ("attendance", "corrupt_image", "cli")
    ]
