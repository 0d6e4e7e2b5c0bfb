"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan starts and stops the runtime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from facerec import __version__
from facerec.api import schemas
from facerec.api.deps import require_api_key
from facerec.api.errors import install_error_handlers
from facerec.api.limits import BodySizeLimit
from facerec.api.routes import admin, faces, health, recognition
from facerec.config import Settings
from facerec.service.runtime import Runtime, start_runtime

log = logging.getLogger(__name__)

DESCRIPTION = """Self-hosted face recognition: enroll faces of students and teachers, verify two
images (1:1), identify enrolled people (1:N), detect faces. Errors have one shape:
`{"error": {"code": ..., "message": ...}}`.

The bundled InsightFace weights are for non-commercial research only."""


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The app for ``settings``. The runtime (models, database, index) is started by the lifespan,
    unless one already started is given; either way the app closes it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime or await anyio.to_thread.run_sync(start_runtime, settings)
        if not settings.api_keys:
            log.warning(
                "no FACEREC_API_KEYS set: anyone who can reach this server can read enrolled faces"
            )
        try:
            yield
        finally:
            app.state.runtime.close()
            app.state.runtime = None

    app = FastAPI(title="facerec", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.runtime = None
    app.state.limiter = anyio.CapacityLimiter(settings.workers)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    # verify carries two images; allow for the multipart envelope on top.
    app.add_middleware(BodySizeLimit, max_bytes=2 * settings.max_image_bytes + 1024 * 1024)
    install_error_handlers(app)
    app.include_router(health.router)
    for router in (faces.router, recognition.router, admin.router):
        app.include_router(
            router, dependencies=[Depends(require_api_key)], responses=schemas.ERROR_RESPONSES
        )
    return app
