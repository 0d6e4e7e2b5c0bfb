"""The ``facerec`` command line. ``common`` holds the app and what commands share; each other module
registers one family of commands on it."""

from __future__ import annotations

from facerec.cli import evaluation, models, recognition
from facerec.cli.common import EXIT_CODES, app

__all__ = ["EXIT_CODES", "app", "evaluation", "main", "models", "recognition"]


def main() -> None:
    app()
