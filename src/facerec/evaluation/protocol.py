"""The evaluation protocols: detection counts, verification on the pair lists, and identification
with one enrolled photo per identity (closed-set rank-1, open-set FNIR at FPIR), plus the
comparison of ways to score a person who has several enrolled photos."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from facerec.domain import Candidate, Decision, DecisionRule, PersonRef, PersonType, Vector
from facerec.evaluation import metrics
from facerec.evaluation.dataset import Dataset
from facerec.evaluation.metrics import Scores
from facerec.evaluation.photos import PhotoResult
from facerec.service.decisions import decide

FAR_TARGETS = (0.01, 0.001, 0.0001)
SWEEP_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
FPIR_TARGET = 0.01
TEMPLATE_PHOTOS = 2  # enrolled photos per person when comparing ways of scoring a person


@dataclass(frozen=True)
class Detection:
    labelled: int
    labelled_with_face: int
    labelled_without_face: tuple[str, ...]
    group_photos: int  # with a counted faces_expected
    group_faces_expected: int
    group_faces_found: int
    group_photos_exact: int
    none_photos: int
    none_photos_with_face: int
    none_faces_found: int
    invalid_photos: int
    invalid_refused: int
    quality_checked: int
    quality_passed: int
    quality_reasons: dict[str, int]


@dataclass(frozen=True)
class Verification:
    genuine: Scores
    impostor: Scores
    pairs_without_face: int
    threshold: float
    tar_at_threshold: float
    far_at_threshold: float
    false_accepts: int
    false_rejects: int
    at_far: dict[float, tuple[float, float] | None]  # target -> (threshold, TAR), None: too few
    eer: float
    eer_threshold: float
    auc: float
    sweep: tuple[tuple[float, float, float], ...]  # (threshold, TAR, FAR) at SWEEP_THRESHOLDS


@dataclass(frozen=True)
class Identification:
    gallery: int  # identities enrolled, one photo each
    probes: int
    rank1: float
    mated_top: Scores  # best score of each probe with its own identity enrolled
    non_mated_top: Scores  # best score of each probe with its own identity left out
    threshold_at_fpir: float | None
    fnir_at_fpir: float | None
    fnir_at_threshold: float
    fpir_at_threshold: float
    mated_decisions: dict[str, int] = field(default_factory=dict)  # match_right, match_wrong, ...
    non_mated_decisions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateScoring:
    name: str  # best-of, mean, centroid
    rank1: float
    fnir_at_threshold: float
    fpir_at_threshold: float
    fnir_at_fpir: float | None
    decidability: float  # d' between mated and non-mated best scores: higher separates better


def detection(dataset: Dataset, results: dict[str, PhotoResult]) -> Detection:
    labelled = [results[p.file] for p in dataset.photos if p.labelled]
    groups = [
        results[p.file]
        for p in dataset.photos
        if p.identity == "GROUP" and p.faces_expected is not None
    ]
    nones = [results[p.file] for p in dataset.photos if p.identity == "NONE"]
    invalid = [results[p.file] for p in dataset.photos if p.identity == "INVALID"]
    checks = [r.quality for r in labelled if r.quality is not None]
    return Detection(
        labelled=len(labelled),
        labelled_with_face=sum(r.faces_found > 0 for r in labelled),
        labelled_without_face=tuple(r.photo.file for r in labelled if r.faces_found == 0),
        group_photos=len(groups),
        group_faces_expected=sum(r.photo.faces_expected or 0 for r in groups),
        group_faces_found=sum(r.faces_found for r in groups),
        group_photos_exact=sum(r.faces_found == r.photo.faces_expected for r in groups),
        none_photos=len(nones),
        none_photos_with_face=sum(r.faces_found > 0 for r in nones),
        none_faces_found=sum(r.faces_found for r in nones),
        invalid_photos=len(invalid),
        invalid_refused=sum(r.error is not None for r in invalid),
        quality_checked=len(checks),
        quality_passed=sum(c.passed for c in checks),
        quality_reasons=dict(Counter(reason.value for c in checks for reason in c.reasons)),
    )


def verification(
    dataset: Dataset, results: dict[str, PhotoResult], *, threshold: float
) -> Verification:
    # A pair with a photo where no face was found cannot be accepted: it scores -inf.
    def scores(pairs: tuple[tuple[str, str], ...]) -> Scores:
        out = np.full(len(pairs), -np.inf)
        for i, (a, b) in enumerate(pairs):
            first, second = results[a].embedding, results[b].embedding
            if first is not None and second is not None:
                out[i] = float(first @ second)
        return out

    genuine, impostor = scores(dataset.same_pairs), scores(dataset.diff_pairs)
    at_far: dict[float, tuple[float, float] | None] = {}
    for target in FAR_TARGETS:
        limit = metrics.threshold_at_rate(impostor, target)
        at_far[target] = None if limit is None else (limit, metrics.accept_rate(genuine, limit))
    eer, eer_threshold = metrics.equal_error_rate(genuine, impostor)
    return Verification(
        genuine=genuine,
        impostor=impostor,
        pairs_without_face=int(np.isinf(genuine).sum() + np.isinf(impostor).sum()),
        threshold=threshold,
        tar_at_threshold=metrics.accept_rate(genuine, threshold),
        far_at_threshold=metrics.accept_rate(impostor, threshold),
        false_accepts=int((impostor >= threshold).sum()),
        false_rejects=int((genuine < threshold).sum()),
        at_far=at_far,
        eer=eer,
        eer_threshold=eer_threshold,
        auc=metrics.roc_auc(genuine[np.isfinite(genuine)], impostor[np.isfinite(impostor)]),
        sweep=tuple(
            (t, metrics.accept_rate(genuine, t), metrics.accept_rate(impostor, t))
            for t in SWEEP_THRESHOLDS
        ),
    )


@dataclass(frozen=True, eq=False)
class _Split:
    """Enrolled photos (up to ``per_person`` per identity) and the probes left over."""

    gallery: dict[str, list[Vector]]
    probes: list[tuple[str, Vector]]


def _split(dataset: Dataset, results: dict[str, PhotoResult], per_person: int) -> _Split:
    by_identity: dict[str, list[Vector]] = {}
    for photo in sorted((p for p in dataset.photos if p.labelled), key=lambda p: p.file):
        embedding = results[photo.file].embedding
        if embedding is not None:
            by_identity.setdefault(photo.identity, []).append(embedding)
    gallery: dict[str, list[Vector]] = {}
    probes: list[tuple[str, Vector]] = []
    for identity, vectors in by_identity.items():
        # Identities with too few photos to enrol per_person and still probe once are enrolled
        # with one photo, as distractors.
        enrolled = per_person if len(vectors) > per_person else 1
        gallery[identity] = vectors[:enrolled]
        probes.extend((identity, v) for v in vectors[enrolled:])
    return _Split(gallery, probes)


PersonScore = Callable[[list[Vector], Vector], float]


def _best_of(templates: list[Vector], probe: Vector) -> float:
    return max(float(t @ probe) for t in templates)


def _mean(templates: list[Vector], probe: Vector) -> float:
    return float(np.mean([float(t @ probe) for t in templates]))


def _centroid(templates: list[Vector], probe: Vector) -> float:
    mean = np.mean(templates, axis=0)
    return float((mean / np.linalg.norm(mean)) @ probe)


SCORINGS: dict[str, PersonScore] = {"best-of": _best_of, "mean": _mean, "centroid": _centroid}


def _ranked(
    dataset: Dataset, split: _Split, identity: str, probe: Vector, score: PersonScore, *, own: bool
) -> list[Candidate]:
    """The gallery's people for this probe, best first; only labels known to be other people (and
    the probe's own when ``own``) take part."""
    ranked = [
        Candidate(
            face_id=0, person=PersonRef(PersonType.STUDENT, other), similarity=score(t, probe)
        )
        for other, t in split.gallery.items()
        if (own and other == identity) or dataset.known_distinct(identity, other)
    ]
    return sorted(ranked, key=lambda c: c.similarity, reverse=True)


def identification(
    dataset: Dataset,
    results: dict[str, PhotoResult],
    *,
    rule: DecisionRule,
    per_person: int = 1,
    score: PersonScore = _best_of,
) -> Identification:
    split = _split(dataset, results, per_person)
    mated_top, non_mated_top, correct = [], [], []
    mated: Counter[str] = Counter()
    non_mated: Counter[str] = Counter()
    for identity, probe in split.probes:
        with_own = _ranked(dataset, split, identity, probe, score, own=True)
        without = [c for c in with_own if c.person.person_id != identity]
        right = bool(with_own) and with_own[0].person.person_id == identity
        correct.append(right)
        mated_top.append(with_own[0].similarity if right else -np.inf)
        non_mated_top.append(without[0].similarity if without else -np.inf)
        decision, person = decide(with_own, rule)
        if decision is Decision.MATCH and person is not None:
            mated["match_right" if person.person.person_id == identity else "match_wrong"] += 1
        else:
            mated[decision.value] += 1
        non_mated[decide(without, rule)[0].value] += 1
    mated_scores, non_mated_scores = np.array(mated_top), np.array(non_mated_top)
    at_fpir = metrics.threshold_at_rate(non_mated_scores, FPIR_TARGET)
    return Identification(
        gallery=len(split.gallery),
        probes=len(split.probes),
        rank1=float(np.mean(correct)) if correct else float("nan"),
        mated_top=mated_scores,
        non_mated_top=non_mated_scores,
        threshold_at_fpir=at_fpir,
        fnir_at_fpir=None if at_fpir is None else 1 - metrics.accept_rate(mated_scores, at_fpir),
        fnir_at_threshold=1 - metrics.accept_rate(mated_scores, rule.threshold),
        fpir_at_threshold=metrics.accept_rate(non_mated_scores, rule.threshold),
        mated_decisions=dict(mated),
        non_mated_decisions=dict(non_mated),
    )


def template_scorings(
    dataset: Dataset, results: dict[str, PhotoResult], *, rule: DecisionRule
) -> list[TemplateScoring]:
    """Rank-1 and open-set errors with ``TEMPLATE_PHOTOS`` enrolled photos per person, for each way
    of scoring."""
    scored = []
    for name, score in SCORINGS.items():
        result = identification(
            dataset, results, rule=rule, per_person=TEMPLATE_PHOTOS, score=score
        )
        scored.append(
            TemplateScoring(
                name=name,
                rank1=result.rank1,
                fnir_at_threshold=result.fnir_at_threshold,
                fpir_at_threshold=result.fpir_at_threshold,
                fnir_at_fpir=result.fnir_at_fpir,
                decidability=metrics.decidability(result.mated_top, result.non_mated_top),
            )
        )
    return scored
