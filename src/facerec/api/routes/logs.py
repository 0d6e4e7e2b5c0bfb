"""/v1/logs: read the recognition logs (results and scores, never embeddings or images)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from facerec import views
from facerec.api.deps import get_runtime, paging, run_blocking
from facerec.domain import Paging
from facerec.service import logs
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/logs", tags=["logs"])


@router.get("", response_model=views.Page[views.Log])
async def list_logs(
    request: Request,
    query: Annotated[views.LogQuery, Query()],
    page: Paging = Depends(paging),
    runtime: Runtime = Depends(get_runtime),
) -> views.Page[views.Log]:
    """The recognition logs, newest first, filtered and paged."""
    filters = logs.log_filters(**dict(query))
    found = await run_blocking(
        request, logs.list_logs, runtime.database, filters=filters, paging=page
    )
    return views.Page[views.Log].of(found, views.Log.of)
