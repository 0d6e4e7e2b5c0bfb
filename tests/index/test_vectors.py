"""The exact index against brute force. The contract every kind of index keeps (updates, removal of a
person, refusal of foreign vectors, threads, writes during a rebuild) is tested for each kind, the
exact one included, in test_approximate.py."""

from __future__ import annotations

import numpy as np

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
