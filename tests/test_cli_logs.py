"""``facerec logs list`` and ``facerec logs prune``, run as a user runs them, without the models."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from facerec.store.clock import utcnow
from facerec.store.tables import FaceRecognitionLogs
from tests.conftest import run_facerec


@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    values = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    if database_url:
        values["FACEREC_DATABASE_URL"] = database_url
    return values


def facerec(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_facerec(*args, env=env, cwd=Path(env["FACEREC_DATA_DIR"]).parent)


def test_list_and_prune_logs_without_the_models(
    env: dict[str, str], samples: Path, tmp_path: Path
) -> None:
    enrolled = facerec(env, "enroll", samples / "yaoming.jpg", "--student", "S7")
    assert enrolled.returncode == 0, enrolled.stderr
    url = env.get("FACEREC_DATABASE_URL") or f"sqlite:///{tmp_path / 'data' / 'facerec.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # a log past the default retention of 90 days
        conn.execute(
            insert(FaceRecognitionLogs).values(
                Operation="identify", Result="unknown", CreatedAt=utcnow() - timedelta(days=91)
            )
        )
    engine.dispose()
    # A model pack that is not there: the logs commands never load one.
    no_models = {
        **env,
        "FACEREC_MODEL_PACK": "buffalo_l",
        "FACEREC_MODEL_DOWNLOAD": "false",
        "FACEREC_MODELS_DIR": str(tmp_path / "no-models"),
    }

    listed = facerec(no_models, "logs", "list", "--person-type", "student", "--person-id", "S7")
    assert listed.returncode == 0, listed.stderr
    body = json.loads(listed.stdout)
    assert body["total"] == 1 and (body["limit"], body["offset"]) == (100, 0)
    [entry] = body["logs"]
    assert (entry["operation"], entry["result"], entry["client"]) == ("enroll", "enrolled", "cli")
    assert datetime.fromisoformat(entry["created_at"]).utcoffset() == timedelta(0)
    assert json.loads(facerec(no_models, "logs", "list").stdout)["total"] == 2

    pruned = facerec(no_models, "logs", "prune")
    assert pruned.returncode == 0, pruned.stderr
    assert json.loads(pruned.stdout) == {"deleted": 1}
    remaining = json.loads(facerec(no_models, "logs", "list", "--since", "2000-01-01").stdout)
    assert [e["result"] for e in remaining["logs"]] == ["enrolled"]
    future = facerec(no_models, "logs", "list", "--since", "2999-01-01T00:00:00+02:00")
    assert json.loads(future.stdout)["total"] == 0


def test_bad_options_exit_2_with_a_message(tmp_path: Path) -> None:
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data")}
    bad_time = facerec(env, "logs", "list", "--since", "yesterday")
    assert bad_time.returncode == 2 and "invalid_input" in bad_time.stderr
    assert "since" in bad_time.stderr and "Traceback" not in bad_time.stderr
    no_type = facerec(env, "logs", "list", "--person-id", "S7")
    assert no_type.returncode == 2 and "needs person_type" in no_type.stderr
    too_many = facerec(env, "logs", "list", "--limit", "5000")
    assert too_many.returncode == 2 and "limit" in too_many.stderr
