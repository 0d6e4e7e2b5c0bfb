"""The identify decision rule, on its own: match, needs_review (band or look-alike) and unknown."""

from __future__ import annotations

import pytest

from facerec.domain import Candidate, Decision, DecisionRule, PersonRef, PersonType
from facerec.service.decisions import decide

RULE = DecisionRule(threshold=0.30, review_from=0.25, margin=0.05)


def people(*similarities: float) -> list[Candidate]:
    """Candidates, one person each, in the order given (the index returns them best first)."""
    return [
        Candidate(face_id=100 + i, person=PersonRef(PersonType.STUDENT, f"p{i}"), similarity=s)
        for i, s in enumerate(similarities)
    ]


def test_nobody_enrolled_is_unknown() -> None:
    assert decide([], RULE) == (Decision.UNKNOWN, None)


@pytest.mark.parametrize("best", [-1.0, 0.0, 0.1, 0.2499])
def test_below_the_band_is_unknown_and_points_at_nobody(best: float) -> None:
    assert decide(people(best, best - 0.01), RULE) == (Decision.UNKNOWN, None)


@pytest.mark.parametrize("best", [0.25, 0.27, 0.2999])
def test_in_the_band_needs_review_of_the_best(best: float) -> None:
    candidates = people(best)
    assert decide(candidates, RULE) == (Decision.NEEDS_REVIEW, candidates[0])
    # Whoever comes second does not change that.
    with_runner_up = people(best, best - 0.001)
    assert decide(with_runner_up, RULE) == (Decision.NEEDS_REVIEW, with_runner_up[0])


def test_at_or_above_the_threshold_alone_is_a_match() -> None:
    for best in (0.30, 0.31, 0.6, 1.0):
        candidates = people(best)
        assert decide(candidates, RULE) == (Decision.MATCH, candidates[0]), best


def test_a_clear_lead_is_a_match() -> None:
    candidates = people(0.62, 0.56)  # 0.06 ahead
    assert decide(candidates, RULE) == (Decision.MATCH, candidates[0])
    candidates = people(0.9, 0.1, 0.05)
    assert decide(candidates, RULE) == (Decision.MATCH, candidates[0])


@pytest.mark.parametrize(
    ("best", "second"), [(0.62, 0.61), (0.62, 0.5701), (0.31, 0.26), (0.5, 0.5)]
)
def test_a_look_alike_within_the_margin_needs_review(best: float, second: float) -> None:
    candidates = people(best, second)
    assert decide(candidates, RULE) == (Decision.NEEDS_REVIEW, candidates[0])


def test_a_close_runner_up_below_the_band_does_not_count() -> None:
    rule = DecisionRule(threshold=0.30, review_from=0.25, margin=0.10)  # margin wider than band
    candidates = people(0.32, 0.24)  # within the margin, but not a plausible match itself
    assert decide(candidates, rule) == (Decision.MATCH, candidates[0])
    candidates = people(0.32, 0.26)  # ... whereas one in the band is
    assert decide(candidates, rule) == (Decision.NEEDS_REVIEW, candidates[0])


def test_only_the_runner_up_is_compared() -> None:
    candidates = people(0.70, 0.60, 0.599)
    assert decide(candidates, RULE) == (Decision.MATCH, candidates[0])


def test_boundaries() -> None:
    rule = DecisionRule(threshold=0.5, review_from=0.375, margin=0.25)  # exact in binary
    # Equal to the threshold: a match; equal to review_from: needs_review.
    assert decide(people(0.5), rule)[0] is Decision.MATCH
    assert decide(people(0.375), rule)[0] is Decision.NEEDS_REVIEW
    assert decide(people(0.375 - 1e-9), rule)[0] is Decision.UNKNOWN
    # A runner-up exactly ``margin`` behind is not within it; exactly at review_from it counts.
    assert decide(people(0.75, 0.5), rule)[0] is Decision.MATCH
    assert decide(people(0.75, 0.5 + 1e-9), rule)[0] is Decision.NEEDS_REVIEW
    assert decide(people(0.5, 0.375), rule)[0] is Decision.NEEDS_REVIEW
    assert decide(people(0.5, 0.375 - 1e-9), rule)[0] is Decision.MATCH


def test_a_zero_margin_and_band_give_the_plain_threshold_rule() -> None:
    rule = DecisionRule(threshold=0.3, review_from=0.3, margin=0.0)
    assert decide(people(0.3, 0.3), rule)[0] is Decision.MATCH
    assert decide(people(0.2999), rule) == (Decision.UNKNOWN, None)
