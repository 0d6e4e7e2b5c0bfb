"""Request dependencies: the runtime, the API key check, the client's address, a list's paging (and the
``Listing`` that runs and renders a list), and the bounded pool that keeps inference and database work
off the event loop."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Form, Path, Query, Request, Security, UploadFile
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, SecretStr

from facerec import domain, views
from facerec.domain import PAGE_LIMIT_MAX, Paging
from facerec.errors import ImageTooLarge, ServiceNotReady, Unauthorized
from facerec.service.faces import Overrides
from facerec.service.runtime import Runtime

T = TypeVar("T")
P = ParamSpec("P")
Found = TypeVar("Found")
Item = TypeVar("Item", bound=BaseModel)


api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="One of FACEREC_API_KEYS"
)


async def get_runtime(request: Request) -> Runtime:
    """The running service. A coroutine though it never waits: FastAPI runs a plain function
    dependency in its thread pool, a round trip to a worker thread on every request."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise ServiceNotReady("the service is starting or failed to start")
    return runtime


async def require_api_key(request: Request, key: str | None = Security(api_key_header)) -> None:
    """Pass when no keys are configured, or when the request carries one of them (a coroutine, like
    ``get_runtime``: no thread hop)."""
    keys: list[SecretStr] = request.app.state.settings.api_keys
    if not keys:
        return
    if key is None or not any(hmac.compare_digest(key, k.get_secret_value()) for k in keys):
        raise Unauthorized("a valid X-API-Key header is required")


async def paging(
    limit: int = Query(100, ge=1, le=PAGE_LIMIT_MAX, description="At most this many items"),
    offset: int = Query(0, ge=0, description="Skip this many items first"),
) -> Paging:
    """A list's ``limit`` and ``offset`` query parameters (a coroutine, like ``get_runtime``)."""
    return Paging(limit=limit, offset=offset)


async def enroll_overrides(
    allow_poor_quality: bool = Form(
        False, description="Enrol even if a face fails the quality gate (operator override)"
    ),
    allow_duplicate: bool = Form(
        False, description="Enrol even if a face already matches another person"
    ),
) -> Overrides:
    """What an operator accepts at enrollment, from the form of every enrolling route."""
    return Overrides(poor_quality=allow_poor_quality, duplicate=allow_duplicate)


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


async def run_blocking(
    request: Request, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``func`` in the worker pool (size ``FACEREC_WORKERS``), never on the event loop."""
    limiter: anyio.CapacityLimiter = request.app.state.limiter
    return await anyio.to_thread.run_sync(partial(func, *args, **kwargs), limiter=limiter)


async def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The uploaded file's bytes, refusing more than ``max_bytes`` without reading them all."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"{upload.filename or 'the upload'} is over the limit of {max_bytes} bytes"
        )
    return data


@dataclass(frozen=True)
class Listing:
    """What every list route needs besides its filters: the request (for the worker pool), the
    runtime and the page asked for."""

    request: Request
    runtime: Runtime
    paging: Paging

    async def page(
        self,
        render: Callable[[Found], Item],
        func: Callable[..., domain.Page[Found]],
        /,
        **filters: object,
    ) -> views.Page[Item]:
        """``func(database, **filters, paging=...)`` in the worker pool, each item rendered by
        ``render``."""
        found = await run_blocking(
            self.request, func, self.runtime.database, paging=self.paging, **filters
        )
        return views.Page[Item].of(found, render)


async def listing(
    request: Request,
    page: Paging = Depends(paging),
    runtime: Runtime = Depends(get_runtime),
) -> Listing:
    """A list route's ``limit`` and ``offset`` with the runtime (a coroutine, like ``get_runtime``)."""
    return Listing(request=request, runtime=runtime, paging=page)


# A row id in a path: anything else is a 422, not a query that overflows the database's integer.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
