"""Refuse oversized request bodies before they are read or spooled to disk (pure ASGI middleware)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.middleware.body_limit import RequestBodyLimitResponder
from starlette.types import ASGIApp, Receive, Scope, Send

from facerec.errors import ImageTooLarge


class BodySizeLimit:
    """Answer 413 when a request declares a body larger than ``max_bytes``, or than the limit that
    ``max_bytes_by_path`` gives its exact path (e.g. a bulk enrollment's archive), before reading it.

    A body without a Content-Length (a chunked upload) is counted as it arrives, by Starlette's
    ``RequestBodyLimitResponder``: past the limit the request fails with 413 there and then, instead
    of the whole body being read and spooled to disk first. Read-only after construction, so safe
    for any number of concurrent requests.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, max_bytes_by_path: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_bytes_by_path = dict(max_bytes_by_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.max_bytes_by_path.get(scope["path"], self.max_bytes)
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                body = json.dumps(
                    {
                        "error": {
                            "code": ImageTooLarge.code,
                            "message": f"the request body is over the limit of {limit} bytes",
                        }
                    }
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            await RequestBodyLimitResponder(self.app, limit)(scope, receive, send)
            return
        await self.app(scope, receive, send)
