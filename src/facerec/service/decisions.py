"""From a face's candidates to a decision: match, needs_review or unknown.

    best >= threshold, and no other person within ``margin`` of it     -> match
    best >= threshold, but another person within ``margin`` (and in
      the band or above): a look-alike, a sibling, a twin               -> needs_review
    review_from <= best < threshold: the confirmation band              -> needs_review
    best < review_from, or nobody enrolled                              -> unknown

Pure: imports the domain types only, so that the evaluation applies exactly the service's rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from facerec.domain import Candidate, Decision, DecisionRule


def decide(
    candidates: Sequence[Candidate], rule: DecisionRule
) -> tuple[Decision, Candidate | None]:
    """The decision for one face, and the person it points at (None when unknown).

    ``candidates`` are people (one entry each), most similar first."""
    if not candidates or candidates[0].similarity < rule.review_from:
        return Decision.UNKNOWN, None
    best = candidates[0]
    if best.similarity < rule.threshold:
        return Decision.NEEDS_REVIEW, best
    if len(candidates) > 1:
        second = candidates[1]
        if (
            second.similarity >= rule.review_from
            and best.similarity - second.similarity < rule.margin
        ):
            return Decision.NEEDS_REVIEW, best
    return Decision.MATCH, best
