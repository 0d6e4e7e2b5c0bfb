"""``facerec logs list`` and ``facerec logs prune``, without the models."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from facerec.store.clock import utcnow
from facerec.store.tables import FaceRecognitionLogs
from tests.conftest import Facerec, execute, make_settings, run_cli


def test_list_and_prune_logs_without_the_models(
    facerec: Facerec, samples: Path, tmp_path: Path
) -> None:
    enrolled = facerec("enroll", samples / "yaoming.jpg", "--student", "S7")
    assert enrolled.exit_code == 0, enrolled.stderr
    execute(  # a log past the default retention of 90 days
        facerec.settings,
        insert(FaceRecognitionLogs).values(
            Operation="identify", Result="unknown", CreatedAt=utcnow() - timedelta(days=91)
        ),
    )
    # A model pack that is not there: the logs commands never load one.
    no_models = Facerec(
        facerec.settings.model_copy(
            update={
                "model_pack": "buffalo_l",
                "model_download": False,
                "models_dir": tmp_path / "no-models",
            }
        )
    )

    listed = no_models("logs", "list", "--person-type", "student", "--person-id", "S7")
    assert listed.exit_code == 0, listed.stderr
    body = json.loads(listed.stdout)
    assert body["total"] == 1 and (body["limit"], body["offset"]) == (100, 0)
    [entry] = body["items"]
    assert (entry["operation"], entry["result"], entry["client"]) == ("enroll", "enrolled", "cli")
    assert datetime.fromisoformat(entry["created_at"]).utcoffset() == timedelta(0)
    assert json.loads(no_models("logs", "list").stdout)["total"] == 2

    pruned = no_models("logs", "prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert json.loads(pruned.stdout) == {"deleted": 1}
    remaining = json.loads(no_models("logs", "list", "--since", "2000-01-01").stdout)
    assert [e["result"] for e in remaining["items"]] == ["enrolled"]
    future = no_models("logs", "list", "--since", "2999-01-01T00:00:00+02:00")
    assert json.loads(future.stdout)["total"] == 0


def test_bad_options_exit_2_with_a_message(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    bad_time = run_cli(settings, "logs", "list", "--since", "yesterday")
    assert bad_time.exit_code == 2 and "invalid_input" in bad_time.stderr
    assert "since" in bad_time.stderr and "Traceback" not in bad_time.stderr
    no_type = run_cli(settings, "logs", "list", "--person-id", "S7")
    assert no_type.exit_code == 2 and "needs person_type" in no_type.stderr
    too_many = run_cli(settings, "logs", "list", "--limit", "5000")
    assert too_many.exit_code == 2 and "limit" in too_many.stderr
