"""How IndexSync reads IndexChanges (SQLite and MariaDB): only the rows it has not read, plus the ids
an earlier read skipped over, for a window of time; each row joined to its face as FaceData holds it
now; a read that cannot be tracked falls back to a full reload."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from facerec.service import index_sync
from facerec.store import changes
from facerec.store import repositories as repo
from facerec.store.clock import utcnow
from facerec.store.db import Database
from facerec.store.tables import FaceData, IndexChanges
from tests.service.test_index_sync import best, enrol, reader


def forget_changes_of(database: Database, face_id: int) -> None:
    """As if the write that enrolled the face had not committed yet."""
    with database.session() as session:
        session.execute(delete(IndexChanges).where(IndexChanges.FaceID == face_id))


def announce(database: Database, face_id: int, *, change_id: int) -> None:
    """The write's change row, committing now with the id it was handed earlier."""
    with database.session() as session:
        session.execute(
            insert(IndexChanges).values(
                ChangeID=change_id, FaceID=face_id, Action="add", CreatedAt=utcnow()
            )
        )


def test_a_skipped_id_is_asked_for_until_the_window_has_passed(database: Database) -> None:
    sync, index = reader(database, window_s=2.0)
    slow = enrol(database, "S-SLOW", seed=1)  # change id 1
    late = enrol(database, "S-LATE", seed=2)  # change id 2
    enrol(database, "S-SEEN", seed=3)  # change id 3
    forget_changes_of(database, slow)
    forget_changes_of(database, late)
    sync.catch_up()
    assert best(index, 3) == "S-SEEN" and best(index, 1) is None and best(index, 2) is None
    announce(database, slow, change_id=1)  # commits within the window: applied
    sync.catch_up()
    assert best(index, 1) == "S-SLOW"
    time.sleep(2.1)
    sync.catch_up()  # the window has passed: id 2 is no longer asked for
    announce(database, late, change_id=2)
    sync.catch_up()
    assert best(index, 2) is None


def test_many_skipped_ids_are_read_as_a_range(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[int, list[int]]] = []
    changes_after = index_sync.changes.changes_after

    def recorded(session: Session, **kwargs: Any) -> list[changes.Change]:
        reads.append((kwargs["after"], list(kwargs["also"])))
        return changes_after(session, **kwargs)

    monkeypatch.setattr(index_sync.changes, "changes_after", recorded)
    sync, index = reader(database)
    early = enrol(database, "S-EARLY", seed=4)
    jumping = enrol(database, "S-JUMP", seed=5)
    forget_changes_of(database, early)
    forget_changes_of(database, jumping)
    jump = index_sync.ASKED_BY_ID + 100
    announce(database, jumping, change_id=jump)
    sync.catch_up()  # ids 1 .. jump - 1 skipped over, too many to ask for one by one
    assert best(index, 5) == "S-JUMP" and best(index, 4) is None
    announce(database, early, change_id=1)
    sync.catch_up()
    assert best(index, 4) == "S-EARLY" and len(index) == 2
    # The second look read from the lowest skipped id on, not by a list of ids.
    assert reads[-1] == (0, [])


def test_too_many_skipped_ids_reload_the_index(database: Database) -> None:
    sync, index = reader(database)
    unannounced = enrol(database, "S-QUIET", seed=6)
    forget_changes_of(database, unannounced)  # never announced: only a full load finds it
    far = enrol(database, "S-FAR", seed=7)
    forget_changes_of(database, far)
    announce(database, far, change_id=index_sync.READ_LIMIT + 10)
    sync.catch_up()
    assert best(index, 7) == "S-FAR" and best(index, 6) == "S-QUIET"


def test_a_change_brings_the_face_as_it_is_now(database: Database) -> None:
    sync, index = reader(database)
    enrol(database, "S-OTHER", seed=7, model_pack="another-pack")
    enrolled = enrol(database, "S-GONE", seed=8)
    with database.session() as session:  # deleted before this process looked: never searchable
        repo.delete_face(session, face_id=enrolled)
    sync.catch_up()
    assert len(index) == 0


def test_a_write_still_open_when_the_index_loads_is_picked_up_after(database: Database) -> None:
    # Ids 1 to 3 handed out; the write holding id 1 has not committed when another process loads.
    open_write = enrol(database, "S-OPEN", seed=1)
    enrol(database, "S-B", seed=2)
    enrol(database, "S-C", seed=3)
    forget_changes_of(database, open_write)
    with database.session() as session:
        session.execute(delete(FaceData).where(FaceData.FaceID == open_write))
    sync, index = reader(database)
    assert best(index, 2) == "S-B" and best(index, 1) is None
    # It commits now: its face, and its change row under the id it was handed (below the marker).
    late = enrol(database, "S-OPEN", seed=1)
    forget_changes_of(database, late)
    announce(database, late, change_id=1)
    sync.catch_up()
    assert best(index, 1) == "S-OPEN"


def test_pruning_keeps_the_newest_change_so_ids_never_go_back(database: Database) -> None:
    sync, index = reader(database)
    enrol(database, "S-A", seed=1)
    enrol(database, "S-B", seed=2)
    sync.catch_up()
    with database.session() as session:
        newest = changes.latest_change(session)
        session.execute(IndexChanges.__table__.update().values(CreatedAt=datetime(2000, 1, 1)))
    assert index_sync.prune_changes(database) == newest - 1
    enrol(database, "S-C", seed=3)  # SQLite hands out the next id after the highest present
    with database.session() as session:
        assert changes.latest_change(session) == newest + 1
    sync.catch_up()
    assert best(index, 3) == "S-C"
