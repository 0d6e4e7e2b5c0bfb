"""Several server processes on one database (SQLite file and MariaDB): each one's index follows the
writes made through the others, and through the command line, without a reindex or a restart."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings, run_cli
from tests.test_server import running_server

pytestmark = pytest.mark.slow  # server processes


def matched(base: str, photo: Path) -> list[str]:
    with photo.open("rb") as handle:
        found = httpx.post(f"{base}/v1/identify", files={"image": (photo.name, handle)}, timeout=60)
    assert found.status_code == 200, found.text
    return [f["match"]["person_id"] for f in found.json()["faces"] if f["decision"] == "match"]


def enroll(base: str, photo: Path, student: str) -> httpx.Response:
    with photo.open("rb") as handle:
        return httpx.post(
            f"{base}/v1/faces",
            files={"image": (photo.name, handle)},
            data={"person_type": "student", "person_id": student},
            timeout=60,
        )


def test_a_face_enrolled_through_one_process_is_identified_through_the_other(
    tmp_path: Path, samples: Path, database_url: str | None
) -> None:
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data")}
    if database_url:
        env["FACEREC_DATABASE_URL"] = database_url
    team = samples / "players.jpg"
    with ExitStack() as servers:
        first = servers.enter_context(running_server(env, tmp_path))
        second = servers.enter_context(running_server(env, tmp_path))
        assert matched(second, team) == []  # the second process has seen its empty index

        enrolled = enroll(first, samples / "yaoming.jpg", "S-1")
        assert enrolled.status_code == 201, enrolled.text
        # The second process's first search since: enrolling him again as someone else there.
        again = enroll(second, samples / "yaoming.jpg", "S-2")
        assert again.status_code == 409, again.text
        assert again.json()["error"]["code"] == "duplicate_face"
        assert again.json()["error"]["details"]["person_id"] == "S-1"
        assert matched(second, team) == ["S-1"]

        # Deactivated through the second: the first stops naming him; back again: both do.
        off = httpx.patch(f"{second}/v1/students/S-1", json={"active": False}, timeout=30)
        assert off.status_code == 200, off.text
        assert matched(first, team) == []
        on = httpx.patch(f"{second}/v1/students/S-1", json={"active": True}, timeout=30)
        assert on.status_code == 200 and matched(first, team) == ["S-1"]

        # Enrolled from the command line (a third writer, which exits at once): a teacher too.
        cli = run_cli(
            make_settings(tmp_path, database_url=database_url),
            "enroll",
            samples / "yaoming.jpg",
            "--teacher",
            "T-1",
            "--allow-duplicate",
        )
        assert cli.exit_code == 0, cli.stderr
        with team.open("rb") as handle:
            found = httpx.post(
                f"{first}/v1/identify", files={"image": (team.name, handle)}, timeout=60
            ).json()
        candidates = {
            c["person_id"] for f in found["faces"] for c in f["candidates"] if c["similarity"] > 0.5
        }
        assert candidates == {"S-1", "T-1"}

        # Deleted through the first: gone from the second.
        gone = httpx.delete(f"{first}/v1/students/S-1", timeout=30)
        assert gone.status_code == 200, gone.text
        assert "S-1" not in matched(second, team)
