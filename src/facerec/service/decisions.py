"""From a face's candidates to a decision: match, needs_review or unknown.

    best >= threshold, and no other person within ``margin`` of it     -> match
    best >= threshold, but another person within ``margin`` (and in
      the band or above): a look-alike, a sibling, a twin               -> needs_review
    review_from <= best < threshold: the confirmation band              -> needs_review
    best < review_from, or nobody enrolled                              -> unknown

Also where the rule comes from: the threshold in force and the band below it (``decision_rule``).
Imports the domain, the settings and the model registry only (no database, no models loaded), so
that the evaluation applies exactly the service's rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from facerec.config import Settings
from facerec.domain import Candidate, Decision, DecisionRule
from facerec.engine.models import ModelPack
from facerec.errors import InvalidInput


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


def decision_rule(
    settings: Settings, pack: ModelPack, threshold_override: float | None = None
) -> DecisionRule:
    """The threshold in force (a request's override, the setting, or the pack's own) and the band
    below it; the band keeps its width when the threshold is moved."""
    if threshold_override is not None and not -1.0 <= threshold_override <= 1.0:
        raise InvalidInput("threshold must be a cosine similarity between -1 and 1")
    threshold = threshold_override
    if threshold is None:
        threshold = settings.threshold if settings.threshold is not None else pack.default_threshold
    band = settings.review_band
    if band is None:
        band = pack.default_threshold - pack.review_threshold
    return DecisionRule(
        threshold=threshold, review_from=threshold - band, margin=settings.review_margin
    )
