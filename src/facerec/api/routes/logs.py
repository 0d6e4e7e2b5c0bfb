"""/v1/logs: read the recognition logs (results and scores, never embeddings or images)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from facerec import views
from facerec.api.deps import Listing, listing
from facerec.service import logs

router = APIRouter(prefix="/v1/logs", tags=["logs"])


@router.get("", response_model=views.Page[views.Log])
async def list_logs(
    query: Annotated[views.LogQuery, Query()], lister: Listing = Depends(listing)
) -> views.Page[views.Log]:
    """The recognition logs, newest first, filtered and paged."""
    filters = logs.log_filters(**dict(query))
    return await lister.page(views.Log.of, logs.list_logs, filters=filters)
