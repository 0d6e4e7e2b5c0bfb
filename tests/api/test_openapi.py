"""The OpenAPI documents every route, its examples are what the running app answers, and each error
a route declares is one it really answers with: shown by a request that gets it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from facerec import errors
from facerec.api.app import create_app
from facerec.api.openapi import ApiRoute, api_routes, route_errors
from facerec.api.route_docs import IMAGE_ERRORS, ROUTES
from tests.conftest import Facedata, make_settings
from tests.test_docs import docs_script

# Shown by their own tests below rather than by a recorded example.
SHOWN_APART = {
    errors.Unauthorized,
    errors.ServiceNotReady,
    errors.InvalidInput,
    errors.StorageUnavailable,
    *IMAGE_ERRORS,
}


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return docs_script()


def operation(app: FastAPI, route: ApiRoute) -> dict[str, Any]:
    operation: dict[str, Any] = app.openapi()["paths"][route.path][route.method.lower()]
    return operation


def first_example(script: ModuleType, route: ApiRoute, *, succeeded: bool = True) -> dict[str, Any]:
    examples = [
        e
        for e in script.stored_examples()
        if e["method"] == route.method and e["route"] == route.path
        if (e["status"] < 400) == succeeded
    ]
    assert examples, f"{route.method} {route.path} has no recorded example"
    return examples[0]


def code_of(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code


def _code_or_none(response: Any) -> str | None:
    """The error code of an answer, or None where it is not an error body (e.g. a 200)."""
    try:
        return code_of(response)
    except (ValueError, KeyError, TypeError):
        return None


def test_every_route_has_a_summary_a_description_and_examples(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    routes = api_routes(app)
    assert {(r.method, r.path) for r in routes} == set(ROUTES), "route_docs.ROUTES is stale"
    for route in routes:
        op = operation(app, route)
        where = f"{route.method} {route.path}"
        assert op["summary"] and op["description"], where
        assert op["x-codeSamples"], f"{where} has no request example"
        success = next(s for s in op["responses"] if s.startswith("2"))
        content = op["responses"][success].get("content", {})
        if success != "204" and "image/*" not in content:
            assert any("example" in c for c in content.values()), f"{where}: no response example"
        for media in op.get("requestBody", {}).get("content", {}).values():
            assert "example" in media, f"{where}: no request body example"
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) and (route.path, status) != ("/ready", "503"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (where, status)


def test_routes_that_declare_401_answer_it_without_a_key(
    tmp_path: Path, script: ModuleType
) -> None:
    # Not started: the key is checked before anything else.
    app = create_app(make_settings(tmp_path, api_keys=["the-key"]))
    client = TestClient(app)
    for route in api_routes(app):
        response = script.send(client, first_example(script, route), read=lambda _: b"x")
        if errors.Unauthorized in route_errors(route, operation(app, route)):
            assert response.status_code == 401, route
            assert code_of(response) == "unauthorized"
        else:
            assert response.status_code != 401, route


def test_routes_that_declare_not_ready_answer_it_before_the_service_started(
    tmp_path: Path, script: ModuleType
) -> None:
    app = create_app(make_settings(tmp_path))
    client = TestClient(app)  # no lifespan: the runtime never starts
    for route in api_routes(app):
        response = script.send(client, first_example(script, route), read=lambda _: b"x")
        if errors.ServiceNotReady in route_errors(route, operation(app, route)):
            assert (response.status_code, code_of(response)) == (503, "not_ready"), route
        else:
            assert "error" not in response.json(), route


@pytest.fixture(scope="module")
def replayed(
    facedata: Facedata, script: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, TestClient, list[dict[str, Any]]]]:
    """A fresh app that has answered every documented request, in order."""
    app = create_app(script.example_settings(tmp_path_factory.mktemp("replayed")))
    with TestClient(app, client=script.CLIENT_ADDRESS) as client:
        yield app, client, script.run_examples(app, client, script.stored_examples())


def test_the_documented_examples_are_what_the_app_answers(
    replayed: tuple[FastAPI, TestClient, list[dict[str, Any]]], script: ModuleType
) -> None:
    _, _, fresh = replayed
    assert script.example_differences(fresh, script.stored_examples()) == []


def test_each_error_a_route_raises_itself_has_an_example(
    replayed: tuple[FastAPI, TestClient, list[dict[str, Any]]],
) -> None:
    app, _, fresh = replayed
    routes = api_routes(app)
    endpoint_of = {(r.method, r.path): r.endpoint.__code__ for r in routes if r.endpoint}
    # The students' and teachers' routes are the same handlers: an example of one shows the other.
    shown = {
        (endpoint_of[e["method"], e["route"]], e["body"]["error"]["code"])
        for e in fresh
        if e["status"] >= 400
    }
    for route in routes:
        assert route.endpoint is not None
        for error in route_errors(route, operation(app, route)):
            if error in SHOWN_APART or (route.path, error) == (
                "/v1/faces/batch",
                errors.ImageTooLarge,
            ):
                continue
            assert (route.endpoint.__code__, error.code) in shown, (route, error.code)


def plain_string(schema: dict[str, Any]) -> bool:
    """Whether any text at all is a valid value of the parameter."""
    variants = [v for v in schema.get("anyOf", [schema]) if v.get("type") != "null"]
    return all(v.get("type") == "string" and not v.get("format") for v in variants)


def invalid_variant(example: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """The example made invalid: a bad path parameter, body, form or query parameter."""
    if "{" in example["route"]:
        parts = [
            "!" if template.startswith("{") else part
            for part, template in zip(
                example["path"].split("/"), example["route"].split("/"), strict=True
            )
        ]
        return {**example, "path": "/".join(parts)}
    if example["json"] is not None:
        return {**example, "json": ["not", "an", "object"]}
    if example["form"] or example["files"]:
        return {**example, "form": {}, "files": {}}
    typed = [p["name"] for p in op.get("parameters", []) if not plain_string(p["schema"])]
    required = [p["name"] for p in op.get("parameters", []) if p.get("required")]
    if required:
        return {**example, "query": {k: v for k, v in example["query"].items() if k != required[0]}}
    return {**example, "query": {**example["query"], typed[0]: "!"}}


def test_routes_with_parameters_answer_invalid_input(
    replayed: tuple[FastAPI, TestClient, list[dict[str, Any]]], script: ModuleType
) -> None:
    app, client, _ = replayed
    for route in api_routes(app):
        op = operation(app, route)
        if errors.InvalidInput not in route_errors(route, op):
            continue
        bad = invalid_variant(first_example(script, route), op)
        response = script.send(client, bad)
        assert (response.status_code, code_of(response)) == (422, "invalid_input"), bad


def test_routes_that_take_a_photo_answer_each_image_error(
    replayed: tuple[FastAPI, TestClient, list[dict[str, Any]]],
    script: ModuleType,
    facedata: Facedata,
) -> None:
    app, client, _ = replayed
    too_large = b"\xff" * (app.state.settings.max_image_bytes + 1)
    truncated = facedata.path(
        "compreface/embedding-calculator/src/services/imgtools/test/files/truncated.jpg"
    ).read_bytes()
    bad_photos = {
        errors.EmptyImage: b"",
        errors.UnsupportedImage: b"hello",
        errors.CorruptImage: truncated,
        errors.ImageTooLarge: too_large,
    }
    checked = set()  # the students' and teachers' routes are the same handlers
    for route in api_routes(app):
        declared = route_errors(route, operation(app, route))
        if errors.EmptyImage not in declared:  # takes no photo (a bulk archive has its own test)
            continue
        assert set(IMAGE_ERRORS) <= set(declared), route
        assert route.endpoint is not None
        if route.endpoint.__code__ in checked:
            continue
        example = first_example(script, route)
        for error, photo in bad_photos.items():
            response = script.send(client, example, read=lambda _, photo=photo: photo)
            assert code_of(response) == error.code, (route, error.code)
            assert response.status_code in (400, 413, 415)
        checked.add(route.endpoint.__code__)


def test_routes_that_declare_storage_unavailable_answer_it_when_the_database_is_gone(
    tmp_path: Path, script: ModuleType, facedata: Facedata
) -> None:
    data_dir = tmp_path / "data"
    app = create_app(script.example_settings(data_dir))
    with TestClient(app) as client:
        # The database file's folder becomes a file: no connection can open it any more. Then the
        # pool's connections are closed: one opened before the move (the background log prune
        # starts with the app) would still reach the moved file. Disposing first would leave a
        # window in which such a connection could open and be pooled.
        shutil.move(data_dir, tmp_path / "moved")
        data_dir.write_text("not a folder")
        app.state.runtime.database.engine.dispose()
        wrong = []
        for route in api_routes(app):
            declared = route_errors(route, operation(app, route))
            response = script.send(client, first_example(script, route))
            if errors.StorageUnavailable in declared and (
                response.status_code != 503 or _code_or_none(response) != "storage_unavailable"
            ):
                wrong.append(f"{route.method} {route.path}: {response.status_code} {response.text}")
        assert not wrong, "not 503 storage_unavailable:\n" + "\n".join(wrong)


def test_a_bulk_enrollment_over_the_limit_answers_413(
    tmp_path: Path, script: ModuleType, facedata: Facedata
) -> None:
    app = create_app(script.example_settings(tmp_path / "data", max_batch_bytes=1024))
    with TestClient(app) as client:
        route = next(r for r in api_routes(app) if r.path == "/v1/faces/batch")
        assert errors.ImageTooLarge in route_errors(route, operation(app, route))
        response = script.send(client, first_example(script, route))
        assert (response.status_code, code_of(response)) == (413, "image_too_large")
