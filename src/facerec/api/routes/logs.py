"""/v1/logs: read the recognition logs (results and scores, never embeddings or images)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request

from facerec import views
from facerec.api.deps import get_runtime, paging, run_blocking
from facerec.domain import LogOperation, LogResult, Paging
from facerec.service import logs
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/logs", tags=["logs"])

TIME_HELP = "ISO 8601; with a time zone it is converted to UTC, without one it is taken as UTC"


@router.get("", response_model=views.Page[views.Log])
async def list_logs(
    request: Request,
    operation: LogOperation | None = Query(None),
    result: LogResult | None = Query(
        None, description="e.g. match, needs_review, unknown, enrolled, no_face_found"
    ),
    person_type: str | None = Query(None, description="student or teacher"),
    person_id: str | None = Query(None, description="Needs person_type"),
    client: str | None = Query(None, description="The caller's address, or cli"),
    since: datetime | None = Query(None, description=f"From this time on (inclusive); {TIME_HELP}"),
    until: datetime | None = Query(None, description=f"Before this time (exclusive); {TIME_HELP}"),
    min_similarity: float | None = Query(None, description="Leaves out logs without a score"),
    max_similarity: float | None = Query(None, description="Leaves out logs without a score"),
    page: Paging = Depends(paging),
    runtime: Runtime = Depends(get_runtime),
) -> views.Page[views.Log]:
    """The recognition logs, newest first, filtered and paged."""
    found = await run_blocking(
        request,
        logs.list_logs,
        runtime.database,
        operation=operation,
        result=result,
        person_type=person_type,
        person_id=person_id,
        client=client,
        since=since,
        until=until,
        min_similarity=min_similarity,
        max_similarity=max_similarity,
        paging=page,
    )
    return views.Page[views.Log].of(found, views.Log.of)
