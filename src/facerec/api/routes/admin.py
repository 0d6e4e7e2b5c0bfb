"""/v1/admin: maintenance of a running server."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from facerec import views
from facerec.api.deps import get_runtime, run_blocking
from facerec.service import admin, logs
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/reindex", response_model=views.ReindexResponse)
async def reindex(
    request: Request, runtime: Runtime = Depends(get_runtime)
) -> views.ReindexResponse:
    """Rebuild this server's index from the database (the truth)."""
    report = await run_blocking(request, admin.reindex, runtime.recognizer)
    return views.ReindexResponse(indexed=report.indexed)


@router.post("/logs/prune", response_model=views.LogPruneResponse)
async def prune_logs(
    request: Request, runtime: Runtime = Depends(get_runtime)
) -> views.LogPruneResponse:
    """Delete the recognition logs older than FACEREC_LOG_RETENTION_DAYS now, rather than at the
    next scheduled prune."""
    deleted = await run_blocking(request, logs.prune_logs, runtime.database, runtime.settings)
    return views.LogPruneResponse(
        deleted=deleted, retention_days=runtime.settings.log_retention_days
    )
