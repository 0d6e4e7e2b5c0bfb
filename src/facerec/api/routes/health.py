"""/health (alive), /ready (model loaded, database reachable), /v1/info."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from facerec import views
from facerec.api.deps import get_runtime, require_api_key, run_blocking
from facerec.service.runtime import Runtime
from facerec.service.status import service_info

router = APIRouter(tags=["health"])


@router.get("/health", response_model=views.Health)
async def health() -> views.Health:
    return views.Health(status="ok")


@router.get("/ready", response_model=views.Ready, responses={503: {"model": views.Ready}})
async def ready(request: Request) -> JSONResponse:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    database_ok = runtime is not None and await run_blocking(request, runtime.database.ping)
    body = views.Ready(
        status="ready" if database_ok else "not_ready",
        model_loaded=runtime is not None,
        database=database_ok,
    )
    return JSONResponse(body.model_dump(), status_code=200 if database_ok else 503)


@router.get("/v1/info", response_model=views.Info, dependencies=[Depends(require_api_key)])
async def info(runtime: Runtime = Depends(get_runtime)) -> views.Info:
    return views.Info.of(service_info(runtime.recognizer))
