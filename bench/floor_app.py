"""The floor under facerec's HTTP overhead: a server that takes enroll's request and runs only its model
compute, with no database, index, quality gate or log. ``bench/http_overhead.py`` starts it (one
process per kind) and times it against compute the way it times ``facerec serve``.

    .venv/bin/python bench/floor_app.py --kind fastapi --port 8001
    .venv/bin/python bench/floor_app.py --kind asgi --port 8002

- ``fastapi``: ``POST /v1/faces`` declared as facerec declares it (the same multipart form fields),
  the compute in the thread pool, a small JSON answer: what FastAPI, Starlette's multipart parser and
  uvicorn cost before facerec's own work.
- ``asgi``: a bare ASGI app on uvicorn: the body read whole, the JPEG cut out of it with no parser,
  the compute in a thread, a small JSON answer: what uvicorn and the thread hop cost.

Both run on the engine, thread counts, HTTP parser and event loop that the ``FACEREC_*`` settings give
``facerec serve``. A benchmark fixture, not part of the service.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI, File, Form, UploadFile

from facerec.config import Settings
from facerec.engine.pipeline import FaceEngine
from facerec.service.images import image_decoder
from facerec.service.runtime import load_engine

Scope = dict[str, Any]


class Compute:
    """Decode and embed the largest face, as enroll does before its checks and writes."""

    def __init__(self, settings: Settings) -> None:
        self.engine: FaceEngine = load_engine(settings)
        self.engine.warm_up()
        self.decode = image_decoder(settings)

    def __call__(self, data: bytes) -> dict[str, float]:
        found = self.engine.largest_face(self.decode(data))
        if found is None:
            return {"det_score": 0.0}
        return {"det_score": round(found[0].face.score, 4)}


def fastapi_app(compute: Compute) -> FastAPI:
    app = FastAPI(title="floor")

    @app.get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/faces", status_code=201)
    async def enroll_face(
        image: UploadFile = File(),
        person_type: str = Form(),
        person_id: str = Form(),
        name: str | None = Form(None),
        class_name: str | None = Form(None),
        allow_poor_quality: bool = Form(False),
        allow_duplicate: bool = Form(False),
    ) -> dict[str, object]:
        data = await image.read()
        found = await anyio.to_thread.run_sync(compute, data)
        return {"person_type": person_type, "person_id": person_id, **found}

    return app


def asgi_app(compute: Compute) -> Any:
    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "GET":
            answer, status = b'{"status":"ok"}', 200
        else:
            start = body.find(b"\xff\xd8")  # the JPEG's first marker, its last below
            jpeg = bytes(body[start : body.rfind(b"\xff\xd9") + 2])
            found = await anyio.to_thread.run_sync(compute, jpeg)
            answer, status = json.dumps(found).encode(), 201
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["fastapi", "asgi"], required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings()
    compute = Compute(settings)  # no database is opened and no index is loaded
    app = fastapi_app(compute) if args.kind == "fastapi" else asgi_app(compute)
    http, loop = settings.server_stack()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        http=http,
        loop=loop,
        access_log=settings.access_log,  # as facerec serve
        log_level=settings.log_level.lower(),
    )


if __name__ == "__main__":
    main()
