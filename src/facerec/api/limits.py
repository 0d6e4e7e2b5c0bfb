"""Refuse oversized request bodies before they are read or spooled to disk (pure ASGI middleware)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from facerec.errors import ImageTooLarge


class BodySizeLimit:
    """Answer 413 when a request declares a body larger than ``max_bytes``.

    Bodies without a Content-Length (chunked uploads) are still capped per file by ``read_upload``.
    Stateless, so safe for any number of concurrent requests.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                body = json.dumps(
                    {
                        "error": {
                            "code": ImageTooLarge.code,
                            "message": f"the request body is over the limit of {self.max_bytes} bytes",
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
        await self.app(scope, receive, send)
