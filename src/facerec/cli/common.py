"""What every ``facerec`` command shares: the Typer app, the exit-code table, settings, printing.

Commands are thin: parse, call one service function, print JSON. Domain errors become a message on
stderr and an exit code from ``EXIT_CODES`` (the CLI's one table, like ``api/errors.py`` for HTTP).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from facerec import errors
from facerec.config import Settings

app = typer.Typer(
    help="facerec: self-hosted face recognition.", no_args_is_help=True, add_completion=False
)

EXIT_CODES: list[tuple[type[errors.FacerecError], int]] = [
    (errors.InvalidInput, 2),
    (errors.ImageError, 3),
    (errors.NoFaceFound, 4),
    (errors.PoorQuality, 11),
    (errors.NotFound, 5),
    (errors.Conflict, 6),
    (errors.ModelError, 7),
    (errors.StorageUnavailable, 8),
    (errors.ServiceNotReady, 8),
    (errors.Unauthorized, 9),
]

T = TypeVar("T")


def load_settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except errors.FacerecError as exc:
        code = next((c for t, c in EXIT_CODES if isinstance(exc, t)), 1)
        typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
        raise typer.Exit(code) from None


def with_recognizer(func: Callable[..., T], **kwargs: Any) -> T:
    """Start the service's parts for the configured settings, run ``func(recognizer, **kwargs)`` on
    their ``Recognizer``, then close them."""
    from facerec.service.runtime import start_runtime

    with domain_errors():
        runtime = start_runtime(load_settings(), show_progress=True)
        try:
            return func(runtime.recognizer, **kwargs)
        finally:
            runtime.close()


def with_database(func: Callable[..., T], **kwargs: Any) -> T:
    """Run ``func(database, **kwargs)`` on the configured database, without loading the models."""
    from facerec.service.runtime import open_database

    with domain_errors():
        database = open_database(load_settings())
        try:
            return func(database, **kwargs)
        finally:
            database.dispose()


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        typer.echo(f"error [invalid_input]: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
