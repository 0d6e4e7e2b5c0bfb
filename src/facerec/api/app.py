"""The FastAPI application: ``create_app(settings)`` builds it; the lifespan starts and stops the runtime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from facerec import __version__
from facerec.api.deps import require_api_key
from facerec.api.errors import install_error_handlers
from facerec.api.limits import BodySizeLimit
from facerec.api.maintenance import prune_logs_periodically
from facerec.api.openapi import document
from facerec.api.routes import admin, attendance, batch, faces, health, logs, recognition
from facerec.api.routes.people import people_router
from facerec.config import Settings
from facerec.domain import PersonType
from facerec.service.maintenance import prune_expired
from facerec.service.runtime import Runtime, start_runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The app for ``settings``. The runtime (models, database, index) is started by the lifespan,
    unless one already started is given; either way the app closes it at shutdown. While it runs,
    expired recognition logs are pruned in the background (``api/maintenance.py``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime or await anyio.to_thread.run_sync(start_runtime, settings)
        if not settings.api_keys:
            log.warning(
                "no FACEREC_API_KEYS set: anyone who can reach this server can read enrolled faces"
            )
        prune = partial(
            prune_logs_periodically,
            partial(prune_expired, app.state.runtime.database, settings),
            interval_s=settings.log_prune_interval_s,
        )
        try:
            async with anyio.create_task_group() as background:
                background.start_soon(prune)
                yield
                background.cancel_scope.cancel()  # an error at the yield cancels it too
        finally:
            app.state.runtime.close()
            app.state.runtime = None

    app = FastAPI(title="facerec", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.runtime = None
    app.state.limiter = anyio.CapacityLimiter(settings.workers)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    # verify carries two images, a bulk enrollment one archive; allow for the multipart envelope.
    envelope = 1024 * 1024
    app.add_middleware(
        BodySizeLimit,
        max_bytes=2 * settings.max_image_bytes + envelope,
        max_bytes_by_path={batch.PATH: settings.max_batch_bytes + envelope},
    )
    install_error_handlers(app)
    app.include_router(health.router)
    routers = [
        people_router(PersonType.STUDENT),
        people_router(PersonType.TEACHER),
        batch.router,  # before faces: /v1/faces/batch is not a {face_id}
        faces.router,
        recognition.router,
        attendance.router,
        logs.router,
        admin.router,
    ]
    for router in routers:
        app.include_router(router, dependencies=[Depends(require_api_key)])
    document(app)  # summaries, descriptions, errors and examples: api/route_docs.py
    return app
