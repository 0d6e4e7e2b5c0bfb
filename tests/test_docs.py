"""The docs stay true: the generated ones are fresh, and none speaks of the project's history."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def docs_script() -> ModuleType:
    """``scripts/docs.py``, the generator, loaded as a module."""
    spec = importlib.util.spec_from_file_location(
        "facerec_docs_script", ROOT / "scripts" / "docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_configuration_md_is_generated_from_the_settings() -> None:
    written = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert written == docs_script().configuration_md(), (
        "docs/configuration.md is stale: run .venv/bin/python scripts/docs.py config"
    )


def test_api_md_is_generated_from_the_openapi_and_the_recorded_examples() -> None:
    script = docs_script()
    written = (ROOT / "docs" / "api.md").read_bytes()
    assert written == script.api_md(script.stored_examples()).encode(), (
        "docs/api.md is stale: run .venv/bin/python scripts/docs.py api"
    )


def test_configuration_md_names_every_setting() -> None:
    from facerec.config import Settings

    written = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`FACEREC_{name.upper()}`" in written


# Words that only make sense to the people who wrote the code: docs and comments describe the
# software as it is, never how it came to be.
HISTORY_WORDS = ["this session", "the seed", "seed's", "the fixes:"]
DOC_TEXT = ("*.md", "*.py", "*.html", "*.txt", "*.toml", "*.cfg", "*.ini", "*.mako")


def documented_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    for folder in (ROOT / "docs", ROOT / "src", ROOT / "bench", ROOT / "tests"):
        for pattern in DOC_TEXT:
            files += [
                path
                for path in folder.rglob(pattern)
                if "egg-info" not in str(path) and "__pycache__" not in path.parts
            ]
    return sorted(set(files) - {Path(__file__).resolve()})  # this file lists the words


def test_no_history_words_in_docs_or_code() -> None:
    pattern = re.compile("|".join(re.escape(w) for w in HISTORY_WORDS), re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in documented_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == [], "history words (say what the software does, not how it got there):\n" + (
        "\n".join(found)
    )


def test_the_history_check_reads_the_readme_docs_src_bench_and_tests() -> None:
    files = documented_files()
    assert ROOT / "README.md" in files and ROOT / "CONTRIBUTING.md" in files
    assert any(p.parent == ROOT / "docs" for p in files)
    assert ROOT / "src" / "facerec" / "config.py" in files
    assert (
        ROOT / "bench" / "results" / "engine.md" in files
        and ROOT / "tests" / "conftest.py" in files
    )
