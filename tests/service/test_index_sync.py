"""IndexSync on SQLite and MariaDB: a process's index follows writes it did not make, including a
change whose id is lower than one already seen (transactions commit out of order)."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
from sqlalchemy import insert

from facerec.domain import PersonChanges, PersonRef, PersonType, unit_embedding
from facerec.index.vectors import VectorIndex
from facerec.service.index_sync import IndexSync
from facerec.store import people
from facerec.store import repositories as repo
from facerec.store.clock import utcnow
from facerec.store.db import Database
from facerec.store.tables import IndexChanges
from tests.conftest import new_face

PACK = "bundled"


def vector(seed: int) -> np.ndarray:  # type: ignore[type-arg]
    return unit_embedding(np.random.default_rng(seed).standard_normal(512))


def enrol(database: Database, person_id: str, seed: int, model_pack: str = PACK) -> int:
    ref = PersonRef(PersonType.STUDENT, person_id)
    with database.session() as session:
        people.ensure_person(session, ref=ref, name=None)
        face = new_face(ref, embedding=vector(seed), model_pack=model_pack)
        return repo.add_face(session, face=face).face_id


def reader(database: Database, window_s: float = 30.0) -> tuple[IndexSync, VectorIndex]:
    index = VectorIndex(model_pack=PACK, dimension=512)
    sync = IndexSync(
        database=database, index=index, model_pack=PACK, interval_s=0.0, window_s=window_s
    )
    sync.load()
    return sync, index


def best(index: VectorIndex, seed: int) -> str | None:
    found = index.search(vector(seed), top_k=1)
    return found[0].person.person_id if found and found[0].similarity > 0.99 else None


def test_writes_of_another_process_reach_the_index(database: Database) -> None:
    sync, index = reader(database)
    enrol(database, "S-1", seed=1)  # written by "another process": this index is not told
    assert best(index, 1) is None
    sync.catch_up()
    assert best(index, 1) == "S-1"

    with database.session() as session:
        people.update_person(
            session, ref=PersonRef(PersonType.STUDENT, "S-1"), changes=PersonChanges(active=False)
        )
    sync.catch_up()
    assert best(index, 1) is None and len(index) == 0

    with database.session() as session:
        people.update_person(
            session, ref=PersonRef(PersonType.STUDENT, "S-1"), changes=PersonChanges(active=True)
        )
    sync.catch_up()
    assert best(index, 1) == "S-1"

    face = enrol(database, "S-2", seed=2)
    with database.session() as session:
        repo.delete_face(session, face_id=face)
        people.delete_person(session, ref=PersonRef(PersonType.STUDENT, "S-1"))
    sync.catch_up()
    assert len(index) == 0


def test_a_change_that_commits_after_a_later_one_is_not_lost(database: Database) -> None:
    sync, index = reader(database)
    late = enrol(database, "S-LATE", seed=3)
    enrol(database, "S-EARLY", seed=4)
    with database.session() as session:  # forget the ids of the first enrolment's change ...
        session.execute(IndexChanges.__table__.delete().where(IndexChanges.FaceID == late))
    sync.catch_up()
    assert best(index, 4) == "S-EARLY" and best(index, 3) is None
    with database.session() as session:  # ... and let it commit now, with an id below the seen one
        session.execute(
            insert(IndexChanges).values(ChangeID=1, FaceID=late, Action="add", CreatedAt=utcnow())
        )
    sync.catch_up()
    assert best(index, 3) == "S-LATE"


def test_changes_older_than_the_window_are_settled(database: Database) -> None:
    sync, index = reader(database, window_s=5.0)
    old = utcnow() - timedelta(seconds=60)
    face = enrol(database, "S-1", seed=5)
    with database.session() as session:
        session.execute(IndexChanges.__table__.update().values(CreatedAt=old))
    sync.catch_up()
    assert best(index, 5) == "S-1"
    # A settled change is not read again: removing the face by hand (no change row) stays unseen.
    index.remove(face)
    sync.catch_up()
    assert best(index, 5) is None


def test_a_catch_up_started_before_the_compute_finds_what_was_committed_before(
    database: Database,
) -> None:
    sync, index = reader(database)
    try:
        enrol(database, "S-1", seed=1)  # another process's write, committed before the request
        started = sync.catch_up_soon()  # the request starts its catch-up, then computes
        started.result(timeout=30)
        assert best(index, 1) == "S-1"
    finally:
        sync.close()


def test_requests_share_a_catch_up_that_has_not_started() -> None:
    index = VectorIndex(model_pack=PACK, dimension=512)
    sync = IndexSync(
        database=None,  # type: ignore[arg-type]  # catch_up is replaced below
        index=index,
        model_pack=PACK,
        interval_s=0.0,
        window_s=30.0,
    )
    release, calls = threading.Event(), []

    def catch_up() -> None:
        calls.append(1)
        release.wait(timeout=30)

    sync.catch_up = catch_up  # type: ignore[method-assign]
    try:
        running = sync.catch_up_soon()
        while not running.running():  # the sync thread has taken it
            threading.Event().wait(0.001)
        queued = sync.catch_up_soon()  # started after this request arrived: its own
        shared = sync.catch_up_soon()  # queued and not started: starts after this one arrived too
        assert queued is not running and shared is queued
        release.set()
        for future in (running, queued):
            future.result(timeout=30)
        assert len(calls) == 2
    finally:
        release.set()
        sync.close()


def test_no_background_read_within_the_interval(database: Database) -> None:
    index = VectorIndex(model_pack=PACK, dimension=512)
    sync = IndexSync(
        database=database, index=index, model_pack=PACK, interval_s=3600.0, window_s=30.0
    )
    sync.load()
    try:
        enrol(database, "S-1", seed=1)
        skipped = sync.catch_up_soon()
        assert skipped.done()  # checked at the load, less than an interval ago: no read
        assert best(index, 1) is None
    finally:
        sync.close()
