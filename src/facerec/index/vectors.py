"""The in-memory index for 1:N search: exact cosine top-k over a float32 matrix, and past a size, an
approximate search through binary codes with the exact cosine of its candidates.

A cache of the database (the truth): loaded from it at start-up, updated after each committed write,
rebuildable at any time. Holds the embeddings of one model pack only; a vector of another size is
refused.

Exact search is one matrix-vector product at memory bandwidth. With ``approximate_from`` set, each face
also gets a binary code once the index holds that many faces (``index/codes.py``): a search then ranks
every code by its Hamming distance to the query's (a 32nd of the bytes an exact search reads;
bench/results/micro.md times a million codes), computes the exact cosine of the ``candidates`` nearest from
the float32 vectors, and scores each person found over all of their faces. Its scores are therefore the
exact ones; only a person none of whose faces is among the candidates can be missed. Graph (HNSW) and
cluster (IVF) indexes were measured too and left: face embeddings are identities scattered with
nothing between them to navigate by (HNSW via usearch stayed below 99% recall@1 at 100k faces and
took minutes to build on 2 cores; IVF via faiss recalled less still at 1M). The codes are made for
every face when the index reaches ``approximate_from``: in ``replace_all``, outside the lock, or in
the ``add`` that reaches it, under the lock (a one-off pause: the approximate build time of
bench/results/search.md); then kept up to date until a ``replace_all`` loads fewer faces than that.

Thread-safe: one lock around every read and write of the content (a search holds it for one product,
or one scan of the codes and a few hundred dot products); the code of a query or of a new face is
computed before the lock is taken; a rebuild reads (and encodes) its rows outside the lock, writes
made meanwhile are replayed on the new content, and rebuilds run one at a time.
Imports numpy, the codes and the domain types only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from facerec.domain import Candidate, PersonRef, Vector
from facerec.index.codes import Codes, SignCodes

Scalar = TypeVar("Scalar", bound=np.generic)


class VectorIndex:
    def __init__(
        self,
        *,
        model_pack: str,
        dimension: int,
        approximate_from: int | None = None,
        code_bits: int = 512,
        candidates: int = 512,
    ) -> None:
        """``approximate_from``: the number of faces from which searches go through the codes (0:
        always; None: never, every search exact)."""
        if candidates < 1:
            raise ValueError(f"candidates must be at least 1, got {candidates}")
        self.model_pack = model_pack
        self.dimension = dimension
        self.approximate_from = approximate_from
        self.code_bits = code_bits
        self.candidates = candidates
        self._signs = (
            SignCodes(bits=code_bits, dimension=dimension) if approximate_from is not None else None
        )
        self._lock = threading.Lock()
        self._matrix = np.zeros((0, dimension), dtype=np.float32)
        # None while the index has stayed below approximate_from (see the module's docstring).
        self._codes: Codes | None = self._codes_for(self._matrix, 0)
        self._face_ids: list[int] = []
        self._people: list[PersonRef] = []
        self._row_of: dict[int, int] = {}
        # remove_person finds a person's faces here, not by comparing a million PersonRefs under the lock.
        self._faces_of: dict[PersonRef, list[int]] = {}
        self._count = 0
        # While replace_all reads the database, adds and removes are also recorded here and replayed
        # on the new content, so that a write committed during a rebuild is not lost.
        self._during_rebuild: list[tuple[int, PersonRef, Vector, Codes | None] | int] | None = None
        self._one_rebuild_at_a_time = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return self._count

    @property
    def searches_approximately(self) -> bool:
        """Whether a search now scans the codes (the index holds ``approximate_from`` faces or
        more)."""
        with self._lock:
            return self._codes is not None and self._reached(self._count)

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
            codes = self._codes_for(matrix, len(face_ids))
        except BaseException:
            with self._lock:
                self._during_rebuild = None
            raise
        faces_of: dict[PersonRef, list[int]] = {}
        for face_id, person in zip(face_ids, people, strict=True):
            faces_of.setdefault(person, []).append(face_id)
        with self._lock:
            self._matrix = matrix
            self._codes = codes
            self._face_ids = face_ids
            self._people = people
            self._row_of = {f: i for i, f in enumerate(face_ids)}
            self._faces_of = faces_of
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
        # Read without the lock: a code made for nothing, or one missing (made under the lock), is
        # all that a race can cost.
        code = self._encode(vector[None, :])[0] if self._codes is not None else None
        with self._lock:
            if self._during_rebuild is not None:
                self._during_rebuild.append((face_id, person, vector, code))
            self._add_locked(face_id, person, vector, code)

    def _add_locked(
        self, face_id: int, person: PersonRef, vector: Vector, code: Codes | None
    ) -> None:
        if face_id in self._row_of:
            return
        if self._count == self._matrix.shape[0]:
            capacity = max(16, self._count * 2)
            self._matrix = _grown(self._matrix, self._count, capacity)
            if self._codes is not None:
                self._codes = _grown(self._codes, self._count, capacity)
        self._matrix[self._count] = vector
        if self._codes is not None:
            self._codes[self._count] = self._encode(vector[None, :])[0] if code is None else code
        self._face_ids.append(face_id)
        self._people.append(person)
        self._row_of[face_id] = self._count
        self._faces_of.setdefault(person, []).append(face_id)
        self._count += 1
        if self._codes is None and self._reached(self._count):
            self._codes = np.zeros((self._matrix.shape[0], self.code_bits // 8), dtype=np.uint8)
            self._codes[: self._count] = self._encode(self._matrix[: self._count])

    def remove(self, face_id: int) -> None:
        """Drop one face; the last row moves into its place."""
        with self._lock:
            if self._during_rebuild is not None:
                self._during_rebuild.append(face_id)
            self._remove_locked(face_id)

    def remove_person(self, person: PersonRef) -> int:
        """Drop every face of ``person``; returns how many."""
        with self._lock:
            face_ids = list(self._faces_of.get(person, ()))
            for face_id in face_ids:
                if self._during_rebuild is not None:
                    self._during_rebuild.append(face_id)
                self._remove_locked(face_id)
            return len(face_ids)

    def _remove_locked(self, face_id: int) -> None:
        row = self._row_of.pop(face_id, None)
        if row is None:
            return
        person = self._people[row]
        faces = self._faces_of[person]
        faces.remove(face_id)
        if not faces:
            del self._faces_of[person]
        last = self._count - 1
        if row != last:
            self._matrix[row] = self._matrix[last]
            if self._codes is not None:
                self._codes[row] = self._codes[last]
            self._face_ids[row] = self._face_ids[last]
            self._people[row] = self._people[last]
            self._row_of[self._face_ids[row]] = row
        self._face_ids.pop()
        self._people.pop()
        self._count = last

    def search(self, query: Vector, *, top_k: int) -> list[Candidate]:
        """The ``top_k`` most similar people (each with their best face), most similar first. Past
        ``approximate_from`` faces, the people are found among the ``candidates`` faces nearest by
        code; each one's similarity is then the exact one of their best face, all of their faces
        compared."""
        self._check(query)
        code = self._encode(query[None, :]) if self._codes is not None else None
        with self._lock:
            count, codes = self._count, self._codes
            if codes is None or not self._reached(count):
                return self._search_exact_locked(query, top_k)
            if code is None:  # the codes were made meanwhile
                code = self._encode(query[None, :])
            # Enough faces to find top_k distinct people unless a few people own most of them; then
            # four times as many, up to every face (an exact search).
            wanted = max(self.candidates, top_k * 8)
            while wanted < count:
                rows = SignCodes.nearest(codes[:count], code, wanted)
                sims = self._matrix[rows] @ query
                # A few more people than asked for, so that one whose best face was not among the
                # candidates can still be ranked where their exact score puts them.
                people = _people_in_order(rows[np.argsort(-sims)], self._people, 2 * top_k)
                if len(people) >= top_k:
                    best = [self._best_face_locked(p, query) for p in people]
                    best.sort(key=lambda c: -c.similarity)
                    return best[:top_k]
                wanted *= 4
            return self._search_exact_locked(query, top_k)

    def _best_face_locked(self, person: PersonRef, query: Vector) -> Candidate:
        face_ids = self._faces_of[person]
        rows = np.fromiter((self._row_of[f] for f in face_ids), dtype=np.intp, count=len(face_ids))
        sims = self._matrix[rows] @ query
        best = int(np.argmax(sims))
        return Candidate(face_id=face_ids[best], person=person, similarity=float(sims[best]))

    def _search_exact_locked(self, query: Vector, top_k: int) -> list[Candidate]:
        if self._count == 0:
            return []
        sims = self._matrix[: self._count] @ query
        # Enough faces to find top_k distinct people in all but pathological cases; fall back to a
        # full sort when a few people own most of the top rows.
        wanted = min(self._count, max(top_k * 8, 32))
        best = _best_per_person(
            _top_indices(sims, wanted), sims, self._people, self._face_ids, top_k
        )
        if len(best) < top_k and wanted < self._count:
            best = _best_per_person(np.argsort(-sims), sims, self._people, self._face_ids, top_k)
        return best

    def _reached(self, count: int) -> bool:
        return self.approximate_from is not None and count >= self.approximate_from

    def _codes_for(self, matrix: npt.NDArray[np.float32], count: int) -> Codes | None:
        """The codes of a new content of ``count`` faces; None below ``approximate_from``."""
        return self._encode(matrix) if self._reached(count) else None

    def _encode(self, vectors: npt.NDArray[np.float32]) -> Codes:
        assert self._signs is not None, "codes are made only with approximate_from set"
        return self._signs.encode(vectors)

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
    float32 matrix (each vector checked by ``check``)."""
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


def _grown(array: npt.NDArray[Scalar], used: int, capacity: int) -> npt.NDArray[Scalar]:
    grown: npt.NDArray[Scalar] = np.zeros((capacity, array.shape[1]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


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


def _people_in_order(
    rows: npt.NDArray[np.int64], people: list[PersonRef], limit: int
) -> list[PersonRef]:
    """The distinct people of ``rows`` in their order, ``limit`` at most."""
    seen: dict[PersonRef, None] = {}
    for row in rows.tolist():
        seen.setdefault(people[row])
        if len(seen) == limit:
            break
    return list(seen)
