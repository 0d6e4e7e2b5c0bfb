"""Rates from similarity scores: acceptance at a threshold, thresholds at a target false-accept
rate, EER, ROC AUC. Pure numpy; every function takes genuine (same-person / mated) and impostor
(different-person / non-mated) scores as float arrays."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float64]


def accept_rate(scores: Scores, threshold: float) -> float:
    """Share of scores at or above the threshold (a decision accepts at >=)."""
    return float(np.mean(scores >= threshold)) if scores.size else math.nan


def threshold_at_rate(impostor: Scores, rate: float) -> float | None:
    """The lowest threshold that accepts at most ``rate`` of the impostor scores, or None when there
    are too few of them to measure that rate (fewer than 1/rate)."""
    if impostor.size == 0 or impostor.size * rate < 1.0:
        return None
    ordered = np.sort(impostor)[::-1]
    allowed = math.floor(rate * impostor.size + 1e-9)
    if allowed >= ordered.size:
        return float(ordered[-1])
    return float(np.nextafter(ordered[allowed], np.inf))


def roc(genuine: Scores, impostor: Scores) -> tuple[Scores, Scores, Scores]:
    """(thresholds, FAR, TAR) at every distinct score, thresholds ascending."""
    thresholds = np.unique(np.concatenate([genuine, impostor]))
    far = 1.0 - np.searchsorted(np.sort(impostor), thresholds, side="left") / max(impostor.size, 1)
    tar = 1.0 - np.searchsorted(np.sort(genuine), thresholds, side="left") / max(genuine.size, 1)
    return thresholds, far, tar


def equal_error_rate(genuine: Scores, impostor: Scores) -> tuple[float, float]:
    """(EER, the threshold where it is reached): where false rejects equal false accepts."""
    thresholds, far, tar = roc(genuine, impostor)
    frr = 1.0 - tar
    best = int(np.argmin(np.abs(far - frr)))
    return float((far[best] + frr[best]) / 2.0), float(thresholds[best])


def roc_auc(genuine: Scores, impostor: Scores) -> float:
    """Probability that a genuine score beats an impostor one (ties count half); NaN when either
    side is empty."""
    if genuine.size == 0 or impostor.size == 0:
        return math.nan
    ordered = np.sort(impostor)
    below = np.searchsorted(ordered, genuine, side="left")
    at_or_below = np.searchsorted(ordered, genuine, side="right")
    wins = below.sum() + 0.5 * (at_or_below - below).sum()
    return float(wins / (genuine.size * impostor.size))


def decidability(genuine: Scores, impostor: Scores) -> float:
    """Daugman's d': the distance between the two score distributions in pooled standard
    deviations (finite scores only). Keeps telling methods apart when the error rates are all 0."""
    genuine, impostor = genuine[np.isfinite(genuine)], impostor[np.isfinite(impostor)]
    if genuine.size < 2 or impostor.size < 2:
        return math.nan
    spread = math.sqrt((float(genuine.var()) + float(impostor.var())) / 2.0)
    distance = abs(float(genuine.mean()) - float(impostor.mean()))
    if spread == 0.0:
        return math.inf if distance > 0.0 else math.nan
    return distance / spread
