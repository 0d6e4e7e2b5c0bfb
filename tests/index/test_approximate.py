"""The approximate index: the exact index's answers on real and synthetic faces, the same updates and
refusals, and the factory's choice of index."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from facerec.domain import PersonRef, PersonType, Vector, unit_embedding
from facerec.engine.image import decode_image
from facerec.engine.pipeline import FaceEngine
from facerec.index.factory import SearchIndex, make_index
from facerec.index.vectors import VectorIndex
from tests.conftest import Facedata, make_settings

Matrix = npt.NDArray[np.float32]
DIM = 16


def vec(rng: np.random.Generator, dim: int = DIM) -> Vector:
    return unit_embedding(rng.standard_normal(dim))


def person(i: int | str) -> PersonRef:
    return PersonRef(PersonType.STUDENT, f"s{i}")


def unit_rows(rows: Matrix) -> Matrix:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def synthetic(n_people: int, faces_each: int, *, seed: int) -> tuple[Matrix, Matrix]:
    """``(centres, faces)`` of 512-d identities: face i belongs to person i // faces_each; two faces
    of a person score about 0.4 to 0.9, two people about 0 (as ArcFace's do)."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.standard_normal((n_people, 512), dtype=np.float32))
    return centres, another_face(np.repeat(centres, faces_each, axis=0), rng)


def another_face(centres: Matrix, rng: np.random.Generator) -> Matrix:
    noise = unit_rows(rng.standard_normal(centres.shape, dtype=np.float32))
    return unit_rows(centres + rng.uniform(0.2, 1.25, (len(centres), 1)).astype(np.float32) * noise)


# Every kind of index honours the same contract --------------------------------------------------------

KINDS: dict[str, Callable[[int], SearchIndex]] = {
    "exact": lambda dim: VectorIndex(model_pack="p", dimension=dim),
    # 8 candidates: past 40 faces, a search for 5 people goes through the codes.
    "approximate": lambda dim: VectorIndex(
        model_pack="p", dimension=dim, candidates=8, approximate_from=0
    ),
    "approximate, below its size": lambda dim: VectorIndex(
        model_pack="p", dimension=dim, approximate_from=10**9
    ),
}


@pytest.fixture(params=sorted(KINDS))
def make(request: pytest.FixtureRequest) -> Callable[[int], SearchIndex]:
    return KINDS[request.param]


def best_per_person(
    vectors: dict[int, Vector], owner: Callable[[int], PersonRef], query: Vector
) -> dict[PersonRef, float]:
    best: dict[PersonRef, float] = {}
    for face_id, v in vectors.items():
        best[owner(face_id)] = max(best.get(owner(face_id), -2.0), float(v @ query))
    return best


def test_each_person_once_with_their_exact_best_score(make: Callable[[int], SearchIndex]) -> None:
    rng = np.random.default_rng(0)
    index = make(DIM)
    vectors = {}
    for face_id in range(300):
        vectors[face_id] = vec(rng)
        index.add(face_id, person(face_id % 40), vectors[face_id])  # 40 people, several faces each
    near = unit_embedding(vectors[7] + 0.05 * rng.standard_normal(DIM))
    best = best_per_person(vectors, lambda f: person(f % 40), near)
    result = index.search(near, top_k=10)
    assert len(result) == 10 and len({c.person for c in result}) == 10
    assert result[0].person == person(7)
    assert [c.similarity for c in result] == sorted((c.similarity for c in result), reverse=True)
    for c in result:
        assert c.similarity == pytest.approx(best[c.person], abs=1e-5)
        assert c.similarity == pytest.approx(float(vectors[c.face_id] @ near), abs=1e-5)


def test_remove_and_replace_all(make: Callable[[int], SearchIndex]) -> None:
    rng = np.random.default_rng(1)
    index = make(DIM)
    target = vec(rng)
    index.add(1, person(1), target)
    for face_id in range(2, 100):
        index.add(face_id, person(face_id), vec(rng))
    assert index.search(target, top_k=1)[0].face_id == 1
    index.remove(1)
    assert len(index) == 98 and all(c.face_id != 1 for c in index.search(target, top_k=5))
    index.remove(1)  # idempotent
    assert len(index) == 98
    index.add(2, person(2), target)  # face 2 is there already: ignored
    assert len(index) == 98 and index.search(target, top_k=1)[0].similarity < 0.99
    assert index.replace_all([(7, person(7), target)]) == 1
    assert [c.face_id for c in index.search(target, top_k=5)] == [7]
    assert index.replace_all([]) == 0 and index.search(target, top_k=5) == []


def test_remove_person_drops_every_face_and_only_theirs(make: Callable[[int], SearchIndex]) -> None:
    rng = np.random.default_rng(4)
    index = make(DIM)
    target = vec(rng)
    for face_id in range(90):
        index.add(face_id, person(face_id % 3), target if face_id % 3 == 0 else vec(rng))
    assert index.remove_person(person(0)) == 30
    assert index.remove_person(person(0)) == 0
    assert len(index) == 60
    found = index.search(target, top_k=5)
    assert {c.person for c in found} == {person(1), person(2)}
    assert all(c.face_id % 3 != 0 for c in found)


def test_a_person_with_many_near_faces_does_not_hide_others(
    make: Callable[[int], SearchIndex],
) -> None:
    rng = np.random.default_rng(2)
    index = make(DIM)
    query = vec(rng)
    for face_id in range(100):  # one person owns the 100 closest faces
        index.add(face_id, person(0), unit_embedding(query + 0.01 * rng.standard_normal(DIM)))
    for face_id in range(500, 1500):
        index.add(face_id, person(face_id), vec(rng))
    found = index.search(query, top_k=3)
    assert found[0].person == person(0)
    assert len({c.person for c in found}) == 3


def test_refuses_vectors_of_another_model(make: Callable[[int], SearchIndex]) -> None:
    index = make(DIM)
    with pytest.raises(ValueError, match="16-d"):
        index.add(1, person(1), unit_embedding(np.ones(8)))
    with pytest.raises(ValueError):
        index.search(np.ones(DIM, dtype=np.float64), top_k=1)
    with pytest.raises(ValueError, match="16-d"):
        index.replace_all([(1, person(1), unit_embedding(np.ones(32)))])
    assert len(index) == 0


def test_concurrent_adds_removes_and_searches(make: Callable[[int], SearchIndex]) -> None:
    index = make(DIM)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        rng = np.random.default_rng(offset)
        try:
            for i in range(400):
                index.add(offset + i, person(i % 50), vec(rng))
                found = index.search(vec(rng), top_k=3)
                assert len({c.person for c in found}) == len(found)
                if i % 4 == 0:
                    index.remove(offset + i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k * 10_000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(index) == 4 * 300


def test_writes_made_during_a_rebuild_are_kept(make: Callable[[int], SearchIndex]) -> None:
    rng = np.random.default_rng(3)
    index = make(DIM)
    old, new, gone = vec(rng), vec(rng), vec(rng)
    index.add(1, person(1), old)
    index.add(3, person(3), gone)
    index.add(4, person(4), gone)

    def database_rows():  # type: ignore[no-untyped-def]
        yield (1, person(1), old)
        yield (3, person(3), gone)
        yield (4, person(4), gone)
        # While the database is being read, face 2 is enrolled, face 3 and person 4 deleted elsewhere.
        index.add(2, person(2), new)
        index.remove(3)
        index.remove_person(person(4))

    assert index.replace_all(database_rows()) == 2
    assert {c.face_id for c in index.search(new, top_k=5)} == {1, 2}


# The approximate index against the exact one ------------------------------------------------------------


def test_same_best_person_as_exact_on_real_faces(engine: FaceEngine, facedata: Facedata) -> None:
    """Real embeddings of facedata photos: three photos of each of ten people enrolled among
    5,000 synthetic faces, the fourth photo searched for. Candidates are few (32) so that the codes,
    not the re-ranking, have to find them."""
    enrolled: list[tuple[PersonRef, Vector]] = []
    queries: list[tuple[PersonRef, Vector]] = []
    identities = sorted(i for i in {r["identity"] for r in facedata.rows if "lfw" in r["tags"]})
    for identity in [i for i in identities if len(facedata.of_identity(i)) >= 4][:10]:
        for k, path in enumerate(facedata.of_identity(identity)[:4]):
            embedding = largest_face(engine, path)
            (queries if k == 3 else enrolled).append((person(identity), embedding))
    assert len(queries) == 10
    _, distractors = synthetic(2500, 2, seed=5)
    rows = [(i, p, v) for i, (p, v) in enumerate(enrolled)]
    rows += [(1000 + i, person(f"x{i // 2}"), v) for i, v in enumerate(distractors)]
    exact = VectorIndex(model_pack="bundled", dimension=512)
    approx = VectorIndex(model_pack="bundled", dimension=512, candidates=32, approximate_from=0)
    exact.replace_all(rows)
    approx.replace_all(rows)
    assert approx.searches_approximately
    for who, query in queries:
        e, a = exact.search(query, top_k=5), approx.search(query, top_k=5)
        assert e[0].person == who  # a genuine match: exact finds the person
        assert a[0].person == e[0].person
        assert a[0].similarity == pytest.approx(e[0].similarity, abs=1e-5)


def largest_face(engine: FaceEngine, path: Path) -> Vector:
    found = engine.largest_face(
        decode_image(path.read_bytes(), max_bytes=50_000_000, max_pixels=50_000_000).pixels
    )
    assert found is not None, path
    return found[0].embedding


def test_recall_on_20k_synthetic_faces_and_exact_scores() -> None:
    centres, faces = synthetic(10_000, 2, seed=6)
    rows = [(i, person(i // 2), v) for i, v in enumerate(faces)]
    exact = VectorIndex(model_pack="p", dimension=512)
    approx = VectorIndex(model_pack="p", dimension=512, candidates=64, approximate_from=0)
    exact.replace_all(rows)
    approx.replace_all(rows)
    rng = np.random.default_rng(7)
    asked = rng.choice(10_000, 300, replace=False)
    genuine = same = 0
    for who, query in zip(asked, another_face(centres[asked], rng), strict=True):
        e, a = exact.search(query, top_k=5), approx.search(query, top_k=5)
        exact_scores = {c.person: c.similarity for c in e}
        for c in a:  # every person both return has the exact index's score
            if c.person in exact_scores:
                assert c.similarity == pytest.approx(exact_scores[c.person], abs=1e-5)
        if e[0].person == person(int(who)):
            genuine += 1
            same += a[0].person == e[0].person
    assert genuine >= 290
    assert same / genuine >= 0.99


def test_exact_below_its_size_and_approximate_from_it() -> None:
    rng = np.random.default_rng(8)
    index = VectorIndex(model_pack="p", dimension=DIM, candidates=8, approximate_from=100)
    exact = VectorIndex(model_pack="p", dimension=DIM)
    rows = [(face_id, person(face_id % 30), vec(rng)) for face_id in range(99)]
    index.replace_all(rows)
    exact.replace_all(rows)
    assert not index.searches_approximately
    query = vec(rng)
    assert index.search(query, top_k=10) == exact.search(query, top_k=10)

    index.add(99, person(99), query)  # the 100th face: codes are made for all
    assert index.searches_approximately
    assert index.search(query, top_k=5)[0].face_id == 99
    index.remove(99)
    assert not index.searches_approximately  # exact again, the codes kept up to date meanwhile
    index.add(100, person(100), query)
    index.add(101, person(101), vec(rng))
    assert index.searches_approximately and index.search(query, top_k=5)[0].face_id == 100
    for _, who, v in rows[::7]:  # faces found through the codes, as before
        assert index.search(v, top_k=5)[0].person == who

    assert index.replace_all(rows[:50]) == 50
    assert not index.searches_approximately
    assert index.replace_all([*rows, (100, person(100), query)]) == 100
    assert index.searches_approximately and index.search(query, top_k=5)[0].face_id == 100


def test_refuses_codes_that_are_not_whole_words() -> None:
    with pytest.raises(ValueError, match="multiple of 64"):
        VectorIndex(model_pack="p", dimension=DIM, code_bits=100, approximate_from=0)


# The factory ---------------------------------------------------------------------------------------------


def test_make_index_picks_the_kind_by_setting_and_by_size(tmp_path: Path) -> None:
    def made(**settings: object) -> SearchIndex:
        return make_index(make_settings(tmp_path, **settings), model_pack="p", dimension=DIM)

    exact = made(index_kind="exact")
    assert isinstance(exact, VectorIndex) and exact.approximate_from is None
    exact.replace_all((i, person(i), vec(np.random.default_rng(i))) for i in range(300))
    assert not exact.searches_approximately
    approximate = made(index_kind="approximate", index_code_bits=128, index_candidates=16)
    assert isinstance(approximate, VectorIndex)
    assert (approximate.code_bits, approximate.candidates) == (128, 16)
    assert approximate.searches_approximately  # from the first face
    auto = made(index_kind="auto", index_approximate_from=50)
    assert isinstance(auto, VectorIndex) and auto.approximate_from == 50
    rng = np.random.default_rng(9)
    auto.replace_all((i, person(i), vec(rng)) for i in range(49))
    assert not auto.searches_approximately
    auto.add(49, person(49), vec(rng))
    assert auto.searches_approximately
    assert make_settings(tmp_path).index_kind == "auto"
