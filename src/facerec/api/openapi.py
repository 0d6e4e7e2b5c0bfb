"""The app's OpenAPI, completed: ``document(app)`` (called by ``create_app``) gives every operation its
summary, description and errors from ``api/route_docs.py``, and its request and response examples
from ``examples.json`` beside this module, which ``scripts/docs.py api`` records from the real app.
FastAPI's own 422 (its validation error shape) is replaced by the error shape the app really answers
with. ``docs/api.md`` is generated from the result; ``tests/api/test_openapi.py`` checks that each
declared error is one the route really returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from facerec import errors
from facerec.api.deps import get_runtime
from facerec.api.errors import status_for
from facerec.api.route_docs import DESCRIPTION, ROUTES, TAGS
from facerec.views import ErrorResponse

Operation = dict[str, Any]


@dataclass(frozen=True)
class ApiRoute:
    """One operation of the app, as a client sees it (prefix and router dependencies included)."""

    method: str
    path: str
    endpoint: Callable[..., Any] | None
    dependant: Dependant


def api_routes(app: FastAPI) -> list[ApiRoute]:
    found = []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None or not context.include_in_schema:
            continue  # the docs pages themselves
        for method in sorted((context.methods or set()) - {"HEAD"}):
            found.append(ApiRoute(method, str(context.path), context.endpoint, dependant))
    return found


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def route_errors(route: ApiRoute, operation: Operation) -> list[type[errors.FacerecError]]:
    """Every error the route can answer with: those it raises itself (``ROUTES``), 401 where it
    needs an API key, 422 ``invalid_input`` where it takes parameters, 503 ``not_ready`` where it
    needs the running service."""
    declared = list(ROUTES[route.method, route.path].errors)
    if operation.get("security"):
        declared.append(errors.Unauthorized)
    if operation.get("parameters") or operation.get("requestBody"):
        declared.append(errors.InvalidInput)
    if get_runtime in _calls(route.dependant):
        declared.append(errors.ServiceNotReady)
    return declared


def load_examples() -> list[dict[str, Any]]:
    """The examples recorded from the real app by ``scripts/docs.py api`` (none before the first
    recording)."""
    source = resources.files("facerec.api").joinpath("examples.json")
    if not source.is_file():
        return []
    examples: list[dict[str, Any]] = json.loads(source.read_text(encoding="utf-8"))["examples"]
    return examples


def shortened(value: Any, *, items: int = 3) -> Any:
    """``value`` with every list cut to ``items`` of its items, for the docs: those that show each
    ``decision``, ``status`` or ``marked`` value first, in their order."""
    if isinstance(value, list):
        return [shortened(v, items=items) for v in _representatives(value, items)]
    if isinstance(value, dict):
        return {k: shortened(v, items=items) for k, v in value.items()}
    return value


def _representatives(values: list[Any], items: int) -> list[Any]:
    def kind(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, dict):
            return ()
        return tuple(value.get(key) for key in ("decision", "status", "marked"))

    seen: set[tuple[Any, ...]] = set()
    chosen: list[int] = []
    for i, value in enumerate(values):
        if kind(value) not in seen and len(chosen) < items:
            seen.add(kind(value))
            chosen.append(i)
    for i in range(len(values)):
        if len(chosen) >= items:
            break
        if i not in chosen:
            chosen.append(i)
    return [values[i] for i in sorted(chosen)]


def curl_command(example: dict[str, Any], base_url: str = "http://127.0.0.1:8000") -> str:
    """The example's request as a curl command line."""
    method = example["method"]
    has_form = bool(example["form"] or example["files"])
    has_json = example["json"] is not None
    parts = ["curl"]
    if method not in ("GET", "POST") or (method == "POST" and not has_form and not has_json):
        parts += ["-X", method]
    if has_json:
        parts += [
            "-H",
            "'Content-Type: application/json'",
            "-d",
            f"'{json.dumps(example['json'])}'",
        ]
    parts += [f"-F '{name}={value}'" for name, value in example["form"].items()]
    parts += [
        f"-F {name}=@{source.rsplit('/', 1)[-1]}" for name, source in example["files"].items()
    ]
    url = base_url + example["path"]
    if example["query"]:
        url = '"' + url + "?" + "&".join(f"{k}={v}" for k, v in example["query"].items()) + '"'
    if example["status"] < 300 and example["content_type"] not in ("application/json", ""):
        parts += ["-o", "attendance.csv" if example["content_type"] == "text/csv" else "face.jpg"]
    return " ".join([*parts, url])


def _error_responses(
    route: ApiRoute, operation: Operation, examples: list[dict[str, Any]]
) -> dict[str, Any]:
    codes_by_status: dict[int, set[str]] = {}
    for error in route_errors(route, operation):
        codes_by_status.setdefault(status_for(error("")), set()).add(error.code)
    responses: dict[str, Any] = {}
    for status, codes in sorted(codes_by_status.items()):
        content: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
        shown = {e["name"]: {"summary": e["title"], "value": e["body"]} for e in examples}
        shown = {k: v for k, v in shown.items() if v["value"]["error"]["code"] in codes}
        if shown:
            content["examples"] = shown
        description = ", ".join(f"`{c}`" for c in sorted(codes))
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": content},
        }
    return responses


def _add_examples(operation: Operation, examples: list[dict[str, Any]]) -> None:
    operation["x-codeSamples"] = [
        {"lang": "Shell", "label": e["title"], "source": curl_command(e)} for e in examples
    ]
    success = next((e for e in examples if e["status"] < 300), None)
    if success is None:
        return
    response = operation["responses"].setdefault(str(success["status"]), {"description": ""})
    media = success["content_type"]
    if media == "application/json" or media.startswith("text/"):
        value = shortened(success["body"]) if media == "application/json" else success["body"]
        response.setdefault("content", {}).setdefault(media, {})["example"] = value
    if success["json"] is not None:
        body = operation["requestBody"]["content"]["application/json"]
        body["example"] = success["json"]
    elif success["form"] or success["files"]:
        fields = {**success["form"], **dict.fromkeys(success["files"], "(a file)")}
        operation["requestBody"]["content"]["multipart/form-data"]["example"] = fields


def complete_openapi(app: FastAPI, schema: dict[str, Any]) -> None:
    """Give each operation of ``schema`` its documentation, errors and examples."""
    examples = load_examples()
    for route in api_routes(app):
        operation = schema["paths"][route.path][route.method.lower()]
        doc = ROUTES[route.method, route.path]
        operation["summary"], operation["description"] = doc.summary, doc.description
        own = [e for e in examples if e["method"] == route.method and e["route"] == route.path]
        # Keep the answers the route declares itself (e.g. /ready's 503); FastAPI's 422 goes.
        responses = operation["responses"]
        for status in [s for s in responses if s == "422"]:
            del responses[status]
        responses.update(_error_responses(route, operation, [e for e in own if e["status"] >= 400]))
        _add_examples(operation, own)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorResponse"] = error_schema


def document(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI with ``route_docs`` and the recorded examples. A route without an
    entry in ``ROUTES`` fails the first time the OpenAPI is built."""
    app.description = DESCRIPTION
    app.openapi_tags = TAGS
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete_openapi(app, build())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
