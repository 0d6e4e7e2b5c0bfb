"""/v1/admin: maintenance of a running server."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from facerec.api import schemas
from facerec.api.deps import get_runtime, run_blocking
from facerec.service import admin
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/reindex", response_model=schemas.ReindexResponse)
async def reindex(
    request: Request, runtime: Runtime = Depends(get_runtime)
) -> schemas.ReindexResponse:
    """Rebuild this server's index from the database (the truth)."""
    report = await run_blocking(request, admin.reindex, runtime)
    return schemas.ReindexResponse(indexed=report.indexed)
