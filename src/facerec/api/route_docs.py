"""What the API documents about itself, read from ``routes.md`` beside this module: the app's
description, each tag's description, and each route's summary, description and the errors it raises
itself. ``api/openapi.py`` applies them to the app (with the recorded examples); ``docs/api.md`` is
generated from the result. A new route needs a section in ``routes.md``.

``routes.md``: the text before the first ``##`` heading is the app's description; ``## tag`` (or
``## tag, tag``) starts a tag and its description; ``### METHOD /path: summary`` starts a route,
whose first line may be ``errors: code, code`` and whose text is its description. ``{people}`` and
``{one}`` in a route stand for ``students``/``student`` and ``teachers``/``teacher``: one section
documents both. Imports the domain's errors only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from facerec import errors

IMAGE_ERRORS: tuple[type[errors.FacerecError], ...] = (
    errors.EmptyImage,
    errors.CorruptImage,
    errors.ImageTooLarge,
    errors.UnsupportedImage,
)
PEOPLE = (("students", "student"), ("teachers", "teacher"))


@dataclass(frozen=True)
class RouteDoc:
    """A route's summary and description, and the errors it raises itself (401, 503 not_ready and
    422 invalid_input are added from the route's dependencies and parameters)."""

    summary: str
    description: str
    errors: tuple[type[errors.FacerecError], ...] = ()


def errors_by_code() -> dict[str, type[errors.FacerecError]]:
    found: dict[str, type[errors.FacerecError]] = {}
    waiting = [errors.FacerecError]
    while waiting:
        error = waiting.pop()
        found[error.code] = error
        waiting += error.__subclasses__()
    return found


def parse(text: str) -> tuple[str, list[dict[str, str]], dict[tuple[str, str], RouteDoc]]:
    """The app's description, the tags and the routes of a ``routes.md`` text."""
    chunks = re.split(r"^(##+ .+)$", text, flags=re.MULTILINE)
    description = chunks[0].split("\n", 1)[1].strip()  # after the title line
    tags: list[dict[str, str]] = []
    routes: dict[tuple[str, str], RouteDoc] = {}
    codes = errors_by_code()
    for heading, body in zip(chunks[1::2], chunks[2::2], strict=True):
        body = body.strip()
        if not heading.startswith("### "):
            tags += [{"name": n.strip(), "description": body} for n in heading[3:].split(",")]
            continue
        route, summary = heading[4:].split(": ", 1)
        method, path = route.split(" ", 1)
        declared: tuple[type[errors.FacerecError], ...] = ()
        if body.startswith("errors:"):
            line, _, body = body.partition("\n")
            declared = tuple(codes[c.strip()] for c in line.removeprefix("errors:").split(","))
        for plural, one in PEOPLE if "{people}" in path else (("", ""),):

            def fill(text: str, plural: str = plural, one: str = one) -> str:
                return text.replace("{people}", plural).replace("{one}", one)

            routes[method, fill(path)] = RouteDoc(fill(summary), fill(body.strip()), declared)
    return description, tags, routes


DESCRIPTION, TAGS, ROUTES = parse(
    resources.files("facerec.api").joinpath("routes.md").read_text(encoding="utf-8")
)
