"""The request dependencies (``api/deps.py``) run on the event loop, not in the thread pool; they keep
their answers: the API key is checked before anything else, a server that is not ready says so, and
the key stays documented in the OpenAPI schema."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi.testclient import TestClient

from facerec.api import deps
from facerec.api.app import create_app
from tests.conftest import assert_error, make_settings


def test_the_dependencies_are_coroutines() -> None:
    # A plain function would run in FastAPI's thread pool: a round trip to a worker thread each.
    assert inspect.iscoroutinefunction(deps.get_runtime)
    assert inspect.iscoroutinefunction(deps.require_api_key)


def test_a_server_that_is_not_ready_answers_503_after_the_key_check(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_keys=["s3cret"])
    client = TestClient(create_app(settings))  # no ``with``: the lifespan never starts the runtime
    assert_error(client.get("/v1/faces"), 401, "unauthorized")
    assert_error(client.get("/v1/faces", headers={"X-API-Key": "wrong"}), 401, "unauthorized")
    not_ready = client.get("/v1/faces", headers={"X-API-Key": "s3cret"})
    assert_error(not_ready, 503, "not_ready")
    refused = client.post(
        "/v1/identify",
        headers={"X-API-Key": "s3cret"},
        files={"image": ("x.jpg", b"\xff\xd8\xff")},
    )
    assert_error(refused, 503, "not_ready")


def test_every_v1_route_still_documents_the_api_key(tmp_path: Path) -> None:
    schema = create_app(make_settings(tmp_path)).openapi()
    assert schema["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey",
        "description": "One of FACEREC_API_KEYS",
        "in": "header",
        "name": "X-API-Key",
    }
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            if path.startswith("/v1/"):
                assert operation["security"] == [{"APIKeyHeader": []}], (path, operation)
