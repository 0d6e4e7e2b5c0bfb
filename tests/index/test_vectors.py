"""The vector index: exact top-k by person, updates, refusal of foreign vectors."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from facerec.domain import PersonRef, PersonType, unit_embedding
from facerec.index.vectors import VectorIndex

DIM = 16


def vec(rng: np.random.Generator) -> np.ndarray:  # type: ignore[type-arg]
    return unit_embedding(rng.standard_normal(DIM))


def person(i: int) -> PersonRef:
    return PersonRef(PersonType.STUDENT, f"s{i}")


def test_search_matches_brute_force_and_lists_each_person_once() -> None:
    rng = np.random.default_rng(0)
    index = VectorIndex(model_pack="p", dimension=DIM)
    vectors = {}
    for face_id in range(300):
        v = vec(rng)
        vectors[face_id] = v
        index.add(face_id, person(face_id % 40), v)  # 40 people, several faces each
    query = vec(rng)
    result = index.search(query, top_k=10)
    assert len(result) == 10 and len({c.person for c in result}) == 10
    best_per_person: dict[PersonRef, float] = {}
    for face_id, v in vectors.items():
        p = person(face_id % 40)
        best_per_person[p] = max(best_per_person.get(p, -2.0), float(v @ query))
    expected = sorted(best_per_person.items(), key=lambda kv: -kv[1])[:10]
    assert [c.person for c in result] == [p for p, _ in expected]
    assert [round(c.similarity, 5) for c in result] == [round(s, 5) for _, s in expected]


def test_remove_and_replace_all() -> None:
    rng = np.random.default_rng(1)
    index = VectorIndex(model_pack="p", dimension=DIM)
    target = vec(rng)
    index.add(1, person(1), target)
    index.add(2, person(2), vec(rng))
    index.add(3, person(3), vec(rng))
    assert index.search(target, top_k=1)[0].face_id == 1
    index.remove(1)
    assert len(index) == 2 and all(c.face_id != 1 for c in index.search(target, top_k=5))
    index.remove(1)  # idempotent
    assert {c.face_id for c in index.search(target, top_k=5)} == {2, 3}
    assert index.replace_all([(7, person(7), target)]) == 1
    assert [c.face_id for c in index.search(target, top_k=5)] == [7]


def test_a_person_with_many_near_faces_does_not_hide_others() -> None:
    rng = np.random.default_rng(2)
    index = VectorIndex(model_pack="p", dimension=DIM)
    query = vec(rng)
    for face_id in range(100):  # one person owns the 100 closest faces
        index.add(face_id, person(0), unit_embedding(query + 0.01 * rng.standard_normal(DIM)))
    index.add(500, person(1), vec(rng))
    assert [c.person for c in index.search(query, top_k=2)] == [person(0), person(1)]


def test_refuses_vectors_of_another_model() -> None:
    index = VectorIndex(model_pack="p", dimension=DIM)
    with pytest.raises(ValueError, match="16-d"):
        index.add(1, person(1), unit_embedding(np.ones(8)))
    with pytest.raises(ValueError):
        index.search(np.ones(DIM, dtype=np.float64), top_k=1)


def test_concurrent_adds_and_searches() -> None:
    index = VectorIndex(model_pack="p", dimension=DIM)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        rng = np.random.default_rng(offset)
        try:
            for i in range(500):
                index.add(offset + i, person(i), vec(rng))
                index.search(vec(rng), top_k=3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k * 10_000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(index) == 2000


def test_writes_made_during_a_rebuild_are_kept() -> None:
    rng = np.random.default_rng(3)
    index = VectorIndex(model_pack="p", dimension=DIM)
    old, new, gone = vec(rng), vec(rng), vec(rng)
    index.add(1, person(1), old)
    index.add(3, person(3), gone)

    def database_rows():  # type: ignore[no-untyped-def]
        yield (1, person(1), old)
        yield (3, person(3), gone)
        # While the database is being read, face 2 is enrolled and face 3 deleted elsewhere.
        index.add(2, person(2), new)
        index.remove(3)

    assert index.replace_all(database_rows()) == 2
    assert {c.face_id for c in index.search(new, top_k=5)} == {1, 2}
