"""One evaluation run: the pipeline over the photos, then every protocol, into one result."""

from __future__ import annotations

from dataclasses import dataclass

from facerec.config import Settings
from facerec.domain import DecisionRule
from facerec.engine.pipeline import FaceEngine
from facerec.evaluation import protocol
from facerec.evaluation.dataset import Dataset
from facerec.evaluation.photos import PhotoResult, analyse_photos
from facerec.service.decisions import decision_rule
from facerec.service.images import image_decoder
from facerec.service.quality import QualityLimits


@dataclass(frozen=True, eq=False)
class Evaluation:
    dataset: Dataset
    model_pack: str
    rule: DecisionRule
    photos: dict[str, PhotoResult]
    detection: protocol.Detection
    verification: protocol.Verification
    identification: protocol.Identification
    template_scorings: list[protocol.TemplateScoring]


def evaluate(
    engine: FaceEngine,
    dataset: Dataset,
    settings: Settings,
    *,
    threshold: float | None = None,
    show_progress: bool = True,
) -> Evaluation:
    """Evaluate at ``threshold`` (default: the one in force for ``settings`` and the engine's pack),
    with the service's image limits, quality gate and decision rule."""
    rule = decision_rule(settings, engine.pack, threshold)
    photos = analyse_photos(
        engine,
        dataset,
        limits=QualityLimits.of(settings),
        decode=image_decoder(settings),
        show_progress=show_progress,
    )
    return Evaluation(
        dataset=dataset,
        model_pack=engine.pack.name,
        rule=rule,
        photos=photos,
        detection=protocol.detection(dataset, photos),
        verification=protocol.verification(dataset, photos, threshold=rule.threshold),
        identification=protocol.identification(dataset, photos, rule=rule),
        template_scorings=protocol.template_scorings(dataset, photos, rule=rule),
    )
