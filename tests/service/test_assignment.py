"""Faces of one photo to people, jointly: each person once, the best total, the usual decisions."""

from __future__ import annotations

import itertools
import random

from facerec.domain import Candidate, Decision, DecisionRule, PersonRef, PersonType
from facerec.service.assignment import assign

RULE = DecisionRule(threshold=0.30, review_from=0.25, margin=0.05)


def person(n: int) -> PersonRef:
    return PersonRef(PersonType.STUDENT, f"P{n}")


def cands(*scores: tuple[int, float]) -> list[Candidate]:
    found = [Candidate(face_id=n * 10, person=person(n), similarity=s) for n, s in scores]
    return sorted(found, key=lambda c: -c.similarity)


def test_joint_assignment_beats_greedy_where_two_faces_resemble_one_person() -> None:
    # Greedy in face order gives P1 to face 0, and face 1 (whose only good person is P1) is lost.
    faces = [cands((1, 0.60), (2, 0.55)), cands((1, 0.62), (2, 0.10))]
    result = assign(faces, RULE)
    assert [r.match.person if r.match else None for r in result] == [person(2), person(1)]
    assert [r.decision for r in result] == [Decision.MATCH, Decision.MATCH]
    # P1 is accounted for by face 1, so it is no runner-up of face 0.
    assert person(1) not in {c.person for c in result[0].candidates}


def test_a_person_is_given_to_one_face_only() -> None:
    faces = [cands((1, 0.90)), cands((1, 0.50)), cands((1, 0.45))]
    result = assign(faces, RULE)
    assert result[0].match is not None and result[0].match.person == person(1)
    assert [r.decision for r in result[1:]] == [Decision.UNKNOWN, Decision.UNKNOWN]


def test_the_usual_rule_decides_among_the_people_left() -> None:
    faces = [cands((1, 0.60), (2, 0.58)), cands((3, 0.27)), cands((4, 0.20))]
    result = assign(faces, RULE)
    assert result[0].decision is Decision.NEEDS_REVIEW  # a look-alike close behind
    assert result[1].decision is Decision.NEEDS_REVIEW  # in the confirmation band
    assert result[2].decision is Decision.UNKNOWN and result[2].match is None


def test_no_faces_and_no_candidates() -> None:
    assert assign([], RULE) == []
    assert [r.decision for r in assign([[], []], RULE)] == [Decision.UNKNOWN, Decision.UNKNOWN]


def test_the_total_similarity_is_the_best_possible_on_random_photos() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n_faces, n_people = rng.randint(1, 5), rng.randint(1, 5)
        table = [[round(rng.uniform(0.0, 0.9), 3) for _ in range(n_people)] for _ in range(n_faces)]
        faces = [cands(*((p, table[f][p]) for p in range(n_people))) for f in range(n_faces)]
        result = assign(faces, RULE)
        given = [r.match.person for r in result if r.match is not None]
        assert len(given) == len(set(given))  # nobody twice
        total = sum(r.match.similarity for r in result if r.match is not None)
        assert abs(total - brute_force_best(table)) < 1e-9


def brute_force_best(table: list[list[float]]) -> float:
    """The total similarity of the best way of giving distinct people to faces, found by trying
    every way. Pairs below the band are not allowed; the service maximises the sum of
    (similarity + 2) over the pairs, so that no face is left out for the sake of the total."""
    n_faces, n_people = len(table), len(table[0])
    best = (0, 0.0)
    for k in range(0, min(n_faces, n_people) + 1):
        for chosen in itertools.permutations(range(n_people), k):
            for faces in itertools.combinations(range(n_faces), k):
                pairs = list(zip(faces, chosen, strict=True))
                if all(table[f][p] >= RULE.review_from for f, p in pairs):
                    score = (k, sum(table[f][p] for f, p in pairs))
                    best = max(best, score, key=lambda s: 2 * s[0] + s[1])
    return best[1]
