"""Keeping a process's index equal to the database: the full load at start-up (and on reindex), and
catching up with the writes of other processes and hosts through IndexChanges.

Every write that changes what the index should hold (a face enrolled, deleted or re-embedded, a person
deleted or (de)activated) adds IndexChanges rows naming the faces, in the writer's own transaction.
Before a search, ``IndexSync.catch_up`` reads the rows it has not applied yet, each joined to its face
as FaceData, the truth, holds it now (one query, a range scan of the primary key, usually empty or the
process's own last write), and puts those faces in the index or takes them out.

Change ids are handed out before commit, so a row with a lower id can become visible after one with
a higher id. An id skipped over by a read (not committed yet, or never: rolled back) is therefore asked
for again at every check for ``window_s`` seconds after the read that skipped it, and so are the ids
missing among the ``ASKED_BY_ID`` just below the newest when the index loads. A change can therefore
arrive too late only from a transaction that stays open longer than ``window_s`` between its write and
its commit, or, at a load, from one whose id lies further below the newest than that. On MySQL/MariaDB
id gaps are common (rollbacks, ids reserved for INSERT ... SELECT, auto_increment_increment above 1):
each is asked for during the window, by id while there are up to ``ASKED_BY_ID`` of them, as a range
from the lowest beyond that. Thread-safe: one thread catches up at a time, the others search meanwhile.

A request that searches after its model compute starts the read before it (``catch_up_soon``): the
read runs on the sync thread beside the compute, on the core that the compute leaves free, and the
search waits for it instead of reading after the compute. The read still starts after the request
arrived, so what was committed before then is found.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from facerec.index.factory import SearchIndex
from facerec.store import changes
from facerec.store import repositories as repo
from facerec.store.clock import utcnow
from facerec.store.db import Database

log = logging.getLogger(__name__)

READ_LIMIT = 20_000  # more changes (or skipped ids) than this to catch up on: a full reload
ASKED_BY_ID = 500  # skipped ids asked for by id; more, and the read starts from the lowest instead
CHANGES_KEPT = timedelta(days=1)  # older IndexChanges rows are pruned


class IndexSync:
    def __init__(
        self,
        *,
        database: Database,
        index: SearchIndex,
        model_pack: str,
        interval_s: float,
        window_s: float,
    ) -> None:
        self.database = database
        self.index = index
        self.model_pack = model_pack
        self.interval_s = interval_s
        self.window_s = window_s
        self._lock = threading.Lock()
        self._seen = 0  # the highest change id read; those below are read or in _skipped
        self._skipped: dict[int, float] = {}  # ids below _seen not read yet: monotonic time skipped
        self._checked_at = float("-inf")  # monotonic time of the last check
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facerec-index-sync")
        self._queued_lock = threading.Lock()
        self._queued: Future[None] | None = None

    def load(self) -> int:
        """Replace the index's content with every searchable face in the database; returns the count.
        The change marker is read first, so a write that lands during the load is caught up later."""
        with self._lock:
            return self._load()

    def _load(self) -> int:
        with self.database.session() as session:
            floor = changes.latest_change(session)
            # Ids among the ASKED_BY_ID just below the marker that are not there yet may belong to
            # writes still open: they are asked for like ids a read skipped over.
            recent = changes.ids_above(session, after=max(floor - ASKED_BY_ID, 0))
        with self.database.session() as session:
            count = self.index.replace_all(
                (e.face_id, e.person, e.embedding)
                for e in repo.iter_embeddings(session, model_pack=self.model_pack)
            )
            packs = repo.count_faces_by_pack(session)
        now = time.monotonic()
        self._seen, self._checked_at = floor, now
        # Ids skipped before a reload are still asked for until their window ends.
        still_open = {
            i: t
            for i, t in self._skipped.items()
            if now - t <= self.window_s and i not in recent and i < floor
        }
        self._skipped = still_open | {
            i: now for i in range(max(floor - ASKED_BY_ID, 0) + 1, floor) if i not in recent
        }
        others = {p: n for p, n in packs.items() if p != self.model_pack}
        if others:
            log.warning(
                "faces enrolled with other model packs are not searchable with %s: %s",
                self.model_pack,
                ", ".join(f"{p}: {n}" for p, n in others.items()),
            )
        return count

    def catch_up(self) -> None:
        """Apply the changes other processes made since the last check (at most one check every
        ``interval_s``; 0 checks before every search)."""
        now = time.monotonic()
        if now - self._checked_at < self.interval_s:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread is at it; search what we have
        try:
            if now - self._checked_at > CHANGES_KEPT.total_seconds() / 2:
                self._load()  # idle so long that pruned changes may be missing
                return
            self._checked_at = now
            self._apply_new_changes()
        finally:
            self._lock.release()

    def catch_up_soon(self) -> Future[None]:
        """``catch_up`` on the sync thread, starting now or soon after: its future is done when it
        is. A call while one is queued and not started yet shares that one (it starts after both
        calls)."""
        if time.monotonic() - self._checked_at < self.interval_s:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        with self._queued_lock:
            queued = self._queued
            if queued is None or queued.running() or queued.done():
                queued = self._queued = self._thread.submit(self.catch_up)
            return queued

    def close(self) -> None:
        """Stop the sync thread (after the catch-up it may be running)."""
        self._thread.shutdown(wait=True, cancel_futures=True)

    def _apply_new_changes(self) -> None:
        now = time.monotonic()
        self._skipped = {i: t for i, t in self._skipped.items() if now - t <= self.window_s}
        asked = sorted(self._skipped)
        with self.database.session() as session:
            found = changes.changes_after(
                session,
                after=asked[0] - 1 if len(asked) > ASKED_BY_ID else self._seen,
                also=asked if len(asked) <= ASKED_BY_ID else (),
                model_pack=self.model_pack,
                limit=READ_LIMIT,
            )
        new = [c for c in found if c.change_id > self._seen or c.change_id in self._skipped]
        seen = max([self._seen, *(c.change_id for c in new)])
        skipped = seen - self._seen - sum(c.change_id > self._seen for c in new)
        if len(found) == READ_LIMIT or len(self._skipped) + skipped > READ_LIMIT:
            self._load()
            return
        read = {c.change_id for c in new}
        for change_id in range(self._seen + 1, seen):
            if change_id not in read:
                self._skipped[change_id] = now
        for change_id in read:
            self._skipped.pop(change_id, None)
        self._seen = seen
        # Each row carries its face as the database holds it now, so the last one per face will do.
        for face_id, change in {c.face_id: c for c in new}.items():
            self.index.remove(face_id)
            if change.person is not None and change.embedding is not None:
                self.index.add(face_id, change.person, change.embedding)


def prune_changes(database: Database) -> int:
    """Delete IndexChanges rows older than a day (a process idle that long reloads in full)."""
    with database.session() as session:
        return changes.delete_older_than(session, cutoff=utcnow() - CHANGES_KEPT)
