"""Keeping a process's index equal to the database: the full load at start-up (and on reindex), and
catching up with the writes of other processes and hosts through IndexChanges.

Every write that changes what the index should hold (a face enrolled, deleted or re-embedded, a person
deleted or (de)activated) adds IndexChanges rows naming the faces, in the writer's own transaction.
Before a search, ``IndexSync.catch_up`` reads the rows it has not applied yet (a range scan of the
primary key, usually empty) and reloads those faces from FaceData, the truth: removed, or added with
their stored embedding. A process's own writes come back this way too; applying them again is harmless.

Change ids are handed out before commit, so a row with a lower id can become visible after one with
a higher id. The rows of the last ``window_s`` seconds are therefore read again at every check (the
ones already applied are skipped); only a transaction that stays open longer than that between its
write and its commit, or clocks between hosts further apart than that, could make a change arrive
too late for it. Thread-safe: one thread catches up at a time, the others search meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from facerec.index.factory import SearchIndex
from facerec.store import changes
from facerec.store import repositories as repo
from facerec.store.clock import utcnow
from facerec.store.db import Database

log = logging.getLogger(__name__)

READ_LIMIT = 20_000  # more changes than this to catch up on: a full reload is cheaper
RELOAD_CHUNK = 1000  # faces read per query when reloading changed ones
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
        self._floor = 0  # every change up to this id is applied and older than the window
        self._applied: set[int] = set()  # applied change ids above the floor
        self._checked_at = float("-inf")  # monotonic time of the last check

    def load(self) -> int:
        """Replace the index's content with every searchable face in the database; returns the count.
        The change marker is read first, so a write that lands during the load is caught up later."""
        with self._lock:
            return self._load()

    def _load(self) -> int:
        with self.database.session() as session:
            floor = changes.latest_change(session)
        with self.database.session() as session:
            count = self.index.replace_all(
                (e.face_id, e.person, e.embedding)
                for e in repo.iter_embeddings(session, model_pack=self.model_pack)
            )
            packs = repo.count_faces_by_pack(session)
        self._floor, self._applied = floor, set()
        self._checked_at = time.monotonic()
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

    def _apply_new_changes(self) -> None:
        with self.database.session() as session:
            found = changes.changes_after(session, after=self._floor, limit=READ_LIMIT)
        if len(found) == READ_LIMIT:
            self._load()
            return
        new = [c for c in found if c.change_id not in self._applied]
        if new:
            self._reload({c.face_id for c in new})
            self._applied.update(c.change_id for c in new)
        # Move the floor past the changes older than the window, in id order.
        settled = utcnow() - timedelta(seconds=self.window_s)
        for change in found:
            if change.created_at >= settled:
                break
            self._floor = change.change_id
        self._applied = {i for i in self._applied if i > self._floor}

    def _reload(self, face_ids: set[int]) -> None:
        """Make the index hold exactly what the database says about these faces."""
        ordered = sorted(face_ids)
        stored: list[repo.StoredEmbedding] = []
        with self.database.session() as session:
            for start in range(0, len(ordered), RELOAD_CHUNK):
                chunk = ordered[start : start + RELOAD_CHUNK]
                stored.extend(
                    repo.iter_embeddings(session, model_pack=self.model_pack, face_ids=chunk)
                )
        for face_id in ordered:
            self.index.remove(face_id)
        for e in stored:
            self.index.add(e.face_id, e.person, e.embedding)


def prune_changes(database: Database) -> int:
    """Delete IndexChanges rows older than a day (a process idle that long reloads in full)."""
    with database.session() as session:
        return changes.delete_older_than(session, cutoff=utcnow() - CHANGES_KEPT)
