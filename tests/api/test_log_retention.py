"""Log retention: the prune itself, a running app pruning at start-up and on request, and the
background loop that keeps going when the database does not answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from facerec.api.maintenance import prune_logs_periodically
from facerec.config import Settings
from facerec.service.logs import prune_logs
from facerec.service.maintenance import prune_expired
from facerec.store.clock import utcnow
from facerec.store.db import Database
from facerec.store.tables import FaceRecognitionLogs
from tests.conftest import make_settings, start_app

# Results that name what the retention does with a row: rows past retention are logged as no_match,
# rows within it as match.
EXPIRED, KEPT = "no_match", "match"


def keeping(settings: Settings, days: int) -> Settings:
    """The test's settings (and so its database) with a log retention of ``days``."""
    return settings.model_copy(update={"log_retention_days": days})


def add_logs(
    database: Database, *, days_ago: float, count: int = 1, result: str = "unknown"
) -> None:
    created = (utcnow() - timedelta(days=days_ago)).replace(microsecond=0)
    with database.session() as session:
        session.execute(
            insert(FaceRecognitionLogs),
            [{"Operation": "identify", "Result": result, "CreatedAt": created}] * count,
        )


def results(database: Database) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(FaceRecognitionLogs.Result)))


def wait_for(condition: Callable[[], bool], *, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_prune_deletes_past_retention_chunk_by_chunk(
    settings: Settings, database: Database
) -> None:
    month = keeping(settings, 30)
    add_logs(database, days_ago=45, count=7, result=EXPIRED)
    add_logs(database, days_ago=29, count=2, result=KEPT)
    assert prune_logs(database, month, chunk_rows=3) == 7  # chunks of 3, 3, 1
    assert results(database) == [KEPT, KEPT]
    # ``now`` may carry a zone: 20 days on, the recent rows are 49 days old.
    later = datetime.now(timezone(timedelta(hours=-7))) + timedelta(days=20)
    assert prune_logs(database, month, now=later) == 2
    assert results(database) == []


def test_zero_retention_keeps_every_log(settings: Settings, database: Database) -> None:
    add_logs(database, days_ago=3650)
    assert prune_logs(database, keeping(settings, 0)) == 0
    assert results(database) == ["unknown"]


def test_running_app_prunes_expired_logs_at_start_up_and_on_request(
    settings: Settings, database: Database
) -> None:
    add_logs(database, days_ago=40, count=3, result=EXPIRED)  # the logs a previous run left
    add_logs(database, days_ago=10, result=KEPT)
    with TestClient(start_app(keeping(settings, 30))) as client:
        wait_for(lambda: client.get("/v1/logs").json()["total"] == 1)
        [entry] = client.get("/v1/logs").json()["items"]
        assert entry["result"] == KEPT

        add_logs(database, days_ago=31, result=EXPIRED)
        pruned = client.post("/v1/admin/logs/prune")
        assert pruned.status_code == 200, pruned.text
        assert pruned.json() == {"deleted": 1, "retention_days": 30}
        assert client.post("/v1/admin/logs/prune").json()["deleted"] == 0
    assert results(database) == [KEPT]


def test_loop_prunes_again_at_every_interval(settings: Settings, database: Database) -> None:
    add_logs(database, days_ago=31, result=EXPIRED)
    add_logs(database, days_ago=1, result=KEPT)

    def later_logs() -> None:
        wait_for(lambda: results(database) == [KEPT])  # the prune at start
        add_logs(database, days_ago=60, result=EXPIRED)
        wait_for(lambda: results(database) == [KEPT])  # gone at a later interval

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(
                partial(
                    prune_logs_periodically,
                    partial(prune_expired, database, keeping(settings, 30)),
                    interval_s=0.1,
                )
            )
            await anyio.to_thread.run_sync(later_logs)
            tasks.cancel_scope.cancel()

    anyio.run(main)


def test_loop_survives_an_unreachable_database_and_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, log_retention_days=30)
    nowhere = Database("mysql+pymysql://root@127.0.0.1:1/nowhere")  # nothing listens on port 1
    caplog.set_level(logging.WARNING, logger="facerec.api.maintenance")

    async def main() -> None:
        with anyio.move_on_after(1.0):  # then cancelled, as the lifespan cancels it at shutdown
            await prune_logs_periodically(partial(prune_expired, nowhere, settings), interval_s=0.1)

    try:
        anyio.run(main)  # returns: the failures never escape the loop
    finally:
        nowhere.dispose()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) >= 2  # tried again after the first failure
    assert all("the database is unavailable" in r.getMessage() for r in warnings)
