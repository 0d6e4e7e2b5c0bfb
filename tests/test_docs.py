"""The docs stay true: the generated ones are fresh, and none speaks of the project's history."""

from __future__ import annotations

import importlib.util
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


def test_configuration_md_names_every_setting() -> None:
    from facerec.config import Settings

    written = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`FACEREC_{name.upper()}`" in written
