"""The ``facerec`` command line. ``common`` holds the app and what commands share; each other module
registers one family of commands on it."""

from __future__ import annotations

from facerec.cli import attendance, batch, evaluation, logs, models, recognition
from facerec.cli.common import EXIT_CODES, app

__all__ = [
    "EXIT_CODES",
    "app",
    "attendance",
    "batch",
    "evaluation",
    "logs",
    "main",
    "models",
    "recognition",
]


def main() -> None:
    app()
