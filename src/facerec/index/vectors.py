"""The in-memory vector index for 1:N search: exact cosine top-k over a float32 matrix.

A cache of the database (the truth): loaded from it at start-up, updated after each committed write,
rebuildable at any time. Holds the embeddings of one model pack only; a vector of another size is
refused. Thread-safe: every method takes one lock (searches are short: one matrix-vector product);
a rebuild reads its rows outside that lock, and rebuilds run one at a time.
Imports numpy and the domain types only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from facerec.domain import Candidate, PersonRef, Vector


class VectorIndex:
    def __init__(self, *, model_pack: str, dimension: int) -> None:
        self.model_pack = model_pack
        self.dimension = dimension
        self._lock = threading.Lock()
        self._matrix = np.zeros((0, dimension), dtype=np.float32)
        self._face_ids: list[int] = []
        self._people: list[PersonRef] = []
        self._row_of: dict[int, int] = {}
        self._count = 0
        # While replace_all reads the database, adds and removes are also recorded here and replayed
        # on the new content, so that a write committed during a rebuild is not lost.
        self._during_rebuild: list[tuple[int, PersonRef, Vector] | int] | None = None
        self._one_rebuild_at_a_time = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return self._count

    def replace_all(self, items: Iterable[tuple[int, PersonRef, Vector]]) -> int:
        """Swap the whole content for ``items`` (face_id, person, unit vector), read lazily; adds and
        removes made while ``items`` is being read are kept. Returns the new count."""
        with self._one_rebuild_at_a_time:
            return self._replace_all(items)

    def _replace_all(self, items: Iterable[tuple[int, PersonRef, Vector]]) -> int:
        with self._lock:
            self._during_rebuild = []
        try:
            face_ids, people, matrix = read_rows(items, check=self._check, dimension=self.dimension)
        except BaseException:
            with self._lock:
                self._during_rebuild = None
            raise
        with self._lock:
            self._matrix = matrix
            self._face_ids = face_ids
            self._people = people
            self._row_of = {f: i for i, f in enumerate(face_ids)}
            self._count = len(face_ids)
            changes, self._during_rebuild = self._during_rebuild or [], None
            for change in changes:
                if isinstance(change, int):
                    self._remove_locked(change)
                else:
                    self._add_locked(*change)
            return self._count

    def add(self, face_id: int, person: PersonRef, vector: Vector) -> None:
        self._check(vector)
        with self._lock:
            if self._during_rebuild is not None:
                self._during_rebuild.append((face_id, person, vector))
            self._add_locked(face_id, person, vector)

    def _add_locked(self, face_id: int, person: PersonRef, vector: Vector) -> None:
        if face_id in self._row_of:
            return
        if self._count == self._matrix.shape[0]:
            grown = np.zeros((max(16, self._count * 2), self.dimension), dtype=np.float32)
            grown[: self._count] = self._matrix[: self._count]
            self._matrix = grown
        self._matrix[self._count] = vector
        self._face_ids.append(face_id)
        self._people.append(person)
        self._row_of[face_id] = self._count
        self._count += 1

    def remove(self, face_id: int) -> None:
        """Drop one face; the last row moves into its place."""
        with self._lock:
            if self._during_rebuild is not None:
                self._during_rebuild.append(face_id)
            self._remove_locked(face_id)

    def remove_person(self, person: PersonRef) -> int:
        """Drop every face of ``person``; returns how many."""
        with self._lock:
            face_ids = [f for f, p in zip(self._face_ids, self._people, strict=True) if p == person]
            for face_id in face_ids:
                if self._during_rebuild is not None:
                    self._during_rebuild.append(face_id)
                self._remove_locked(face_id)
            return len(face_ids)

    def _remove_locked(self, face_id: int) -> None:
        row = self._row_of.pop(face_id, None)
        if row is None:
            return
        last = self._count - 1
        if row != last:
            self._matrix[row] = self._matrix[last]
            self._face_ids[row] = self._face_ids[last]
            self._people[row] = self._people[last]
            self._row_of[self._face_ids[row]] = row
        self._face_ids.pop()
        self._people.pop()
        self._count = last

    def search(self, query: Vector, *, top_k: int) -> list[Candidate]:
        """The ``top_k`` most similar people (each with their best face), most similar first."""
        self._check(query)
        with self._lock:
            if self._count == 0:
                return []
            sims = self._matrix[: self._count] @ query
            # Enough faces to find top_k distinct people in all but pathological cases; fall back to
            # a full sort when a few people own most of the top rows.
            wanted = min(self._count, max(top_k * 8, 32))
            order = _top_indices(sims, wanted)
            best = _best_per_person(order, sims, self._people, self._face_ids, top_k)
            if len(best) < top_k and wanted < self._count:
                best = _best_per_person(
                    np.argsort(-sims), sims, self._people, self._face_ids, top_k
                )
        return best

    def _check(self, vector: Vector) -> None:
        if vector.dtype != np.float32 or vector.shape != (self.dimension,):
            raise ValueError(
                f"index {self.model_pack} holds {self.dimension}-d float32 vectors, got "
                f"{vector.dtype} {vector.shape}"
            )


def read_rows(
    items: Iterable[tuple[int, PersonRef, Vector]],
    *,
    check: Callable[[Vector], None],
    dimension: int,
) -> tuple[list[int], list[PersonRef], npt.NDArray[np.float32]]:
    """A rebuild's input, read once: the face ids, their people and their vectors as one contiguous
    float32 matrix (each vector checked by ``check``). Shared by the exact and approximate indexes."""
    face_ids: list[int] = []
    people: list[PersonRef] = []
    rows: list[Vector] = []
    for face_id, person, vector in items:
        check(vector)
        face_ids.append(face_id)
        people.append(person)
        rows.append(vector)
    matrix = np.vstack(rows) if rows else np.zeros((0, dimension), dtype=np.float32)
    del rows
    return face_ids, people, np.ascontiguousarray(matrix, dtype=np.float32)


def _top_indices(sims: Vector, count: int) -> npt.NDArray[np.intp]:
    if count >= sims.shape[0]:
        return np.argsort(-sims)
    part = np.argpartition(-sims, count - 1)[:count]
    return part[np.argsort(-sims[part])]


def _best_per_person(
    order: npt.NDArray[np.intp],
    sims: Vector,
    people: list[PersonRef],
    face_ids: list[int],
    top_k: int,
) -> list[Candidate]:
    seen: set[PersonRef] = set()
    best: list[Candidate] = []
    for i in order:
        person = people[int(i)]
        if person in seen:
            continue
        seen.add(person)
        best.append(
            Candidate(face_id=face_ids[int(i)], person=person, similarity=float(sims[int(i)]))
        )
        if len(best) == top_k:
            break
    return best
