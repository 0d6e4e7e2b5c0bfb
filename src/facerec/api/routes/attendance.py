"""/v1/attendance: mark from a photo, records, export, absentees, manual marks, reviews, changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, Response, UploadFile

from facerec import views
from facerec.api.deps import (
    Listing,
    RowId,
    client_of,
    get_runtime,
    listing,
    read_upload,
    run_blocking,
)
from facerec.domain import AttendanceSource
from facerec.service import attendance, corrections, export, reports
from facerec.service.faces import person_ref
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/attendance", tags=["attendance"])


@router.post("", response_model=views.AttendanceResponse)
async def take_attendance(
    request: Request,
    image: UploadFile = File(description="A class or group photo, or a kiosk snapshot"),
    class_name: str | None = Form(None, description="The class; decides the absentees"),
    session_id: str | None = Form(None, description="e.g. 2026-11-26-period-1; default: the day"),
    on: date | None = Form(None, alias="date", description="Default: today (FACEREC_TIMEZONE)"),
    source: AttendanceSource = Form(AttendanceSource.PHOTO, description="photo or kiosk"),
    threshold: float | None = Form(None, description="Override the configured threshold"),
    runtime: Runtime = Depends(get_runtime),
) -> views.AttendanceResponse:
    """Identify every face and mark each recognised person present, once. Sending the same session
    again adds nothing."""
    session = attendance.attendance_session(
        runtime.settings, on=on, session_id=session_id, class_name=class_name
    )
    data = await read_upload(image, runtime.settings.max_image_bytes)
    result = await run_blocking(
        request,
        attendance.take_attendance,
        runtime.recognizer,
        image=data,
        attendance=session,
        source=source,
        threshold=threshold,
        client=client_of(request),
    )
    return views.AttendanceResponse.of(result)


def record_filters(query: Annotated[views.RecordQuery, Query()]) -> reports.RecordFilters:
    """The filters shared by the list and the CSV export."""
    return reports.record_filters(**dict(query))


@router.get("", response_model=views.Page[views.Record])
async def list_records(
    filters: reports.RecordFilters = Depends(record_filters), lister: Listing = Depends(listing)
) -> views.Page[views.Record]:
    return await lister.page(views.Record.of, reports.list_records, filters=filters)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_csv(
    request: Request,
    filters: reports.RecordFilters = Depends(record_filters),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    """The records that match, one CSV row each (columns: docs/api.md)."""

    def render() -> str:
        return "".join(export.csv_lines(reports.export_records(runtime.database, filters=filters)))

    text = await run_blocking(request, render)
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="attendance.csv"'},
    )


@router.get("/absentees", response_model=views.AbsenteeList)
async def absentees(
    request: Request,
    class_name: str = Query(description="The class whose students should have been there"),
    on: date | None = Query(None, alias="date", description="Default: today"),
    session_id: str | None = Query(None),
    runtime: Runtime = Depends(get_runtime),
) -> views.AbsenteeList:
    """The active students of the class not marked present for the session."""
    session = attendance.attendance_session(
        runtime.settings, on=on, session_id=session_id, class_name=class_name
    )
    found = await run_blocking(request, reports.absentees, runtime.database, attendance=session)
    return views.AbsenteeList(
        session=views.AttendanceSession.of(session),
        absentees=[views.Absentee.of(a) for a in found],
    )


@router.post("/marks", response_model=views.Record)
async def mark(
    request: Request,
    body: views.MarkRequest = Body(),
    runtime: Runtime = Depends(get_runtime),
) -> views.Record:
    """Mark a person present or absent by hand (a later photo does not override it)."""
    ref = person_ref(body.person_type.value, body.person_id)
    session = attendance.attendance_session(
        runtime.settings, on=body.date, session_id=body.session_id, class_name=body.class_name
    )
    who = corrections.actor(body.by, client=client_of(request), note=body.note)
    record = await run_blocking(
        request,
        corrections.mark,
        runtime.database,
        ref=ref,
        attendance=session,
        status=body.status,
        who=who,
    )
    return views.Record.of(record)


@router.get("/reviews", response_model=views.Page[views.Review])
async def list_reviews(
    query: Annotated[views.ReviewQuery, Query()], lister: Listing = Depends(listing)
) -> views.Page[views.Review]:
    filters = reports.ReviewFilters(**dict(query))
    return await lister.page(views.Review.of, reports.list_reviews, filters=filters)


@router.post("/reviews/{review_id}/confirm", response_model=views.Confirmation)
async def confirm_review(
    request: Request,
    review_id: RowId,
    body: views.ConfirmRequest = Body(),
    runtime: Runtime = Depends(get_runtime),
) -> views.Confirmation:
    """The face is the candidate (or the person given): mark them present."""
    person = corrections.confirm_as(
        body.person_type.value if body.person_type else None, body.person_id
    )
    who = corrections.actor(body.by, client=client_of(request), note=body.note)
    done = await run_blocking(
        request,
        corrections.confirm_review,
        runtime.database,
        review_id=review_id,
        who=who,
        person=person,
    )
    return views.Confirmation(
        review=views.Review.of(done.review), record=views.Record.of(done.record)
    )


@router.post("/reviews/{review_id}/reject", response_model=views.Review)
async def reject_review(
    request: Request,
    review_id: RowId,
    body: views.Actor = Body(),
    runtime: Runtime = Depends(get_runtime),
) -> views.Review:
    """The face is not the candidate: nobody is marked."""
    who = corrections.actor(body.by, client=client_of(request), note=body.note)
    review = await run_blocking(
        request, corrections.reject_review, runtime.database, review_id=review_id, who=who
    )
    return views.Review.of(review)


@router.get("/changes", response_model=views.Page[views.Change])
async def list_changes(
    query: Annotated[views.ChangeQuery, Query()], lister: Listing = Depends(listing)
) -> views.Page[views.Change]:
    """The audit trail of corrections, newest first."""
    filters = reports.record_filters(**dict(query))
    return await lister.page(views.Change.of, reports.list_changes, filters=filters)
