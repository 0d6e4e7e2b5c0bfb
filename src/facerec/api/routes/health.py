"""/health (alive), /ready (model loaded, database reachable), /v1/info."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from facerec import __version__
from facerec.api import schemas
from facerec.api.deps import get_runtime, require_api_key, run_blocking
from facerec.engine.session import available_providers
from facerec.service.runtime import Runtime

router = APIRouter(tags=["health"])


@router.get("/health", response_model=schemas.Health)
async def health() -> schemas.Health:
    return schemas.Health(status="ok")


@router.get("/ready", response_model=schemas.Ready, responses={503: {"model": schemas.Ready}})
async def ready(request: Request) -> JSONResponse:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    database_ok = runtime is not None and await run_blocking(request, runtime.database.ping)
    body = schemas.Ready(
        status="ready" if database_ok else "not_ready",
        model_loaded=runtime is not None,
        database=database_ok,
    )
    return JSONResponse(body.model_dump(), status_code=200 if database_ok else 503)


@router.get("/v1/info", response_model=schemas.Info, dependencies=[Depends(require_api_key)])
async def info(runtime: Runtime = Depends(get_runtime)) -> schemas.Info:
    rule = runtime.decision_rule(None)
    return schemas.Info(
        version=__version__,
        model_pack=runtime.model_pack,
        model_description=runtime.engine.pack.description,
        embedding_size=runtime.engine.dimension,
        threshold=rule.threshold,
        review_from=round(rule.review_from, 4),
        review_margin=rule.margin,
        threshold_calibration=runtime.engine.pack.calibration,
        provider=runtime.engine.provider,
        available_providers=available_providers(),
        faces_indexed=len(runtime.index),
        database=runtime.database.dialect,
    )
