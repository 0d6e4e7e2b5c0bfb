"""THE mapping from domain errors to HTTP: one table, one JSON shape ``{"error": {"code", "message"}}``
(plus ``details`` where the error carries some, e.g. the quality reasons of ``poor_quality``).

Request validation errors (FastAPI's) are reshaped into the same body with code ``invalid_input``.
An unexpected exception is logged with its traceback and answered with a 500 in the same shape, without
internals; bad input never gets there, because every input error is a ``FacerecError``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from facerec import errors

log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[errors.FacerecError], int]] = [
    (errors.EmptyImage, 400),
    (errors.CorruptImage, 400),
    (errors.ImageTooLarge, 413),
    (errors.UnsupportedImage, 415),
    (errors.ImageError, 400),
    (errors.InvalidInput, 422),
    (errors.NoFaceFound, 422),
    (errors.PoorQuality, 422),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.ModelError, 503),
    (errors.StorageUnavailable, 503),
    (errors.ServiceNotReady, 503),
    (errors.Unauthorized, 401),
]


def status_for(exc: errors.FacerecError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            return status
    return 400


def error_body(
    code: str, message: str, details: dict[str, object] | None = None
) -> dict[str, dict[str, object]]:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.FacerecError)
    async def _domain(_: Request, exc: errors.FacerecError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status_for(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        )
        return JSONResponse(
            error_body("invalid_input", problems or "invalid request"), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 413: a streamed body past BodySizeLimit's limit (api/limits.py).
        code = {404: "not_found", 405: "method_not_allowed", 413: errors.ImageTooLarge.code}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "an unexpected error occurred"), status_code=500
        )
