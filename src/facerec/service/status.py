"""What a running service says about itself: its version, model pack, thresholds, providers, index size
and database (``GET /v1/info``).

Imports the engine's provider list and the recognizer; nothing of the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from facerec import __version__
from facerec.engine.session import available_providers
from facerec.service.recognizer import Recognizer


@dataclass(frozen=True)
class ServiceInfo:
    version: str
    model_pack: str
    model_description: str
    embedding_size: int
    threshold: float
    review_from: float
    review_margin: float
    threshold_calibration: str
    provider: str
    available_providers: list[str]
    faces_indexed: int
    database: str


def service_info(recognizer: Recognizer) -> ServiceInfo:
    """The running service's configuration and state; it describes every part of ``recognizer``."""
    rule = recognizer.decision_rule(None)
    pack = recognizer.engine.pack
    return ServiceInfo(
        version=__version__,
        model_pack=pack.name,
        model_description=pack.description,
        embedding_size=recognizer.engine.dimension,
        threshold=rule.threshold,
        review_from=round(rule.review_from, 4),
        review_margin=rule.margin,
        threshold_calibration=pack.calibration,
        provider=recognizer.engine.provider,
        available_providers=available_providers(),
        faces_indexed=len(recognizer.index),
        database=recognizer.database.dialect,
    )
