"""Settings' secrets (the database URL, the API keys) are never shown: not in the settings' repr, str
or JSON, not in validation errors, logs, the command line's output or the API's answers. The key check
and the database driver still get their values."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from facerec.api.app import create_app
from facerec.cli import app as cli
from facerec.config import Settings
from facerec.errors import StorageUnavailable
from facerec.service.runtime import open_database
from tests.api.test_faces_and_errors import assert_error
from tests.conftest import _mysql_database, make_settings

PASSWORD = "pw-Zq8d1Xv"
KEY = "key-7Hk2Lm9"
# Nothing listens on port 1: opening this database fails, and the error names the URL.
UNREACHABLE_URL = f"mysql+pymysql://facerec:{PASSWORD}@127.0.0.1:1/facerec"
MASKED_URL = "mysql+pymysql://facerec:***@127.0.0.1:1/facerec"


def assert_hidden(shown: str) -> None:
    assert PASSWORD not in shown
    assert KEY not in shown


def with_secrets(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, database_url=UNREACHABLE_URL, api_keys=[KEY, "other"])


def test_the_settings_mask_their_secrets(tmp_path: Path) -> None:
    settings = with_secrets(tmp_path)
    for shown in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        str(settings.model_dump()),
        repr(settings.sqlalchemy_url()),
    ):
        assert_hidden(shown)
    assert settings.sqlalchemy_url().get_secret_value() == UNREACHABLE_URL
    assert [key.get_secret_value() for key in settings.api_keys] == [KEY, "other"]


def test_the_secrets_are_read_from_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"FACEREC_DATABASE_URL={UNREACHABLE_URL}\nFACEREC_API_KEYS={KEY}, other\n")
    settings = make_settings(tmp_path, _env_file=env_file)
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == UNREACHABLE_URL
    assert [key.get_secret_value() for key in settings.api_keys] == [KEY, "other"]
    assert_hidden(repr(settings))


def test_an_empty_database_url_means_sqlite(tmp_path: Path) -> None:
    url = make_settings(tmp_path, database_url="").sqlalchemy_url().get_secret_value()
    assert url == f"sqlite:///{(tmp_path / 'data' / 'facerec.db').resolve()}"


@pytest.mark.parametrize(
    "values",
    [{"api_keys": [{"key": KEY}]}, {"database_url": {"url": UNREACHABLE_URL}}],
    ids=["api_keys", "database_url"],
)
def test_validation_errors_never_quote_the_input(tmp_path: Path, values: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as raised:
        make_settings(tmp_path, **values)
    assert_hidden(str(raised.value))


def test_a_validation_error_from_the_environment_never_quotes_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f'FACEREC_API_KEYS=["{KEY}", {{"key": "{KEY}"}}]\n')
    with pytest.raises(ValidationError) as raised:
        make_settings(tmp_path, _env_file=env_file)
    assert_hidden(str(raised.value))


def test_a_database_that_cannot_be_opened_is_named_with_its_password_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StorageUnavailable) as raised:
        open_database(with_secrets(tmp_path))
    assert MASKED_URL in raised.value.message
    assert_hidden(str(raised.value))
    assert_hidden(caplog.text)


def test_the_command_line_never_prints_the_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    caplog.set_level(logging.DEBUG)
    env = {
        "FACEREC_DATABASE_URL": UNREACHABLE_URL,
        "FACEREC_API_KEYS": KEY,
        "FACEREC_LOG_LEVEL": "DEBUG",
    }
    result = CliRunner().invoke(cli, ["logs", "prune"], env=env)
    assert result.exit_code == 8, result.output
    assert MASKED_URL in result.output
    assert_hidden(result.output)
    assert_hidden(caplog.text)


def test_the_api_never_answers_with_the_keys_and_still_checks_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = []
    with TestClient(create_app(make_settings(tmp_path, api_keys=[KEY, "other"]))) as client:
        assert_error(client.get("/v1/info"), 401, "unauthorized")
        assert_error(client.get("/v1/info", headers={"X-API-Key": KEY[:-1]}), 401, "unauthorized")
        assert client.get("/v1/info", headers={"X-API-Key": "other"}).status_code == 200
        for path in ("/health", "/ready", "/v1/info", "/v1/faces", "/openapi.json"):
            answer = client.get(path, headers={"X-API-Key": KEY})
            assert answer.status_code == 200, answer.text
            answers.append(answer.text)
    for shown in [*answers, caplog.text]:
        assert_hidden(shown)


@pytest.fixture
def password_url(mysql_url: str) -> Iterator[str]:
    """A fresh MariaDB/MySQL database and a user of its own, who logs in with ``PASSWORD``."""
    base = mysql_url
    user = f"facerec_{uuid.uuid4().hex[:8]}"
    server = create_engine(base)
    for url in _mysql_database(base):
        database = make_url(url).database
        with server.begin() as conn:
            conn.execute(text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}'"))
            conn.execute(text(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'"))
        try:
            yield make_url(url).set(username=user, password=PASSWORD).render_as_string(False)
        finally:
            with server.begin() as conn:
                conn.execute(text(f"DROP USER IF EXISTS '{user}'@'%'"))
            server.dispose()


def test_the_password_reaches_the_database_and_nothing_else(
    tmp_path: Path, password_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, database_url=password_url, api_keys=[KEY])
    with TestClient(create_app(settings)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["database"] is True
        info = client.get("/v1/info", headers={"X-API-Key": KEY})
        assert info.status_code == 200
    for shown in (ready.text, info.text, caplog.text, repr(settings)):
        assert_hidden(shown)
