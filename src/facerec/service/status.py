"""What a running service says about itself: its version, model pack, thresholds, providers, index size
and database (``GET /v1/info``).

Imports the engine's provider list and the runtime; nothing of the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from facerec import __version__
from facerec.engine.session import available_providers
from facerec.service.runtime import Runtime


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


def service_info(runtime: Runtime) -> ServiceInfo:
    """The running service's configuration and state; it describes every part, so it takes them all."""
    rule = runtime.recognizer.decision_rule(None)
    pack = runtime.engine.pack
    return ServiceInfo(
        version=__version__,
        model_pack=pack.name,
        model_description=pack.description,
        embedding_size=runtime.engine.dimension,
        threshold=rule.threshold,
        review_from=round(rule.review_from, 4),
        review_margin=rule.margin,
        threshold_calibration=pack.calibration,
        provider=runtime.engine.provider,
        available_providers=available_providers(),
        faces_indexed=len(runtime.index),
        database=runtime.database.dialect,
    )
