"""``Recognizer``: the parts that recognising a photo uses, travelling together: the settings (image
limits, thresholds), the face engine, the search index with its sync, and the database (where each
attempt is logged). ``Runtime`` holds one and passes it; a test can build one without a Runtime.

Imports the engine, store and index layers; nothing of the web.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from facerec.config import Settings
from facerec.domain import (
    Candidate,
    DecisionRule,
    DetectedFace,
    EmbeddedFace,
    LogOperation,
    Vector,
)
from facerec.engine.image import DecodedImage
from facerec.engine.pipeline import FaceEngine
from facerec.errors import ImageError, NoFaceFound
from facerec.index.factory import SearchIndex
from facerec.service.decisions import decision_rule
from facerec.service.images import image_decoder
from facerec.service.index_sync import IndexSync
from facerec.service.quality import QualityLimits
from facerec.service.recognition_log import RecognitionLog
from facerec.store.db import Database


@dataclass(frozen=True, eq=False)
class LargestFace:
    image: DecodedImage
    face: EmbeddedFace
    others: tuple[DetectedFace, ...]  # the photo's other faces, largest first

    @property
    def faces_found(self) -> int:
        return 1 + len(self.others)


@dataclass(frozen=True, eq=False)
class Recognizer:
    """Decode, embed, search and decide with one settings, engine, index and database. Thread-safe
    because each part is: the engine and index say how in their docstrings, and the database hands
    each unit of work its own session."""

    settings: Settings
    engine: FaceEngine
    database: Database
    index: SearchIndex
    sync: IndexSync  # keeps ``index`` equal to the database, other processes' writes included

    @property
    def model_pack(self) -> str:
        return self.engine.pack.name

    @property
    def default_threshold(self) -> float:
        return self.threshold(None)

    def threshold(self, override: float | None) -> float:
        return decision_rule(self.settings, self.engine.pack, override).threshold

    def decision_rule(self, threshold_override: float | None) -> DecisionRule:
        return decision_rule(self.settings, self.engine.pack, threshold_override)

    @property
    def quality_limits(self) -> QualityLimits:
        return QualityLimits.of(self.settings)

    def decode(self, data: bytes) -> DecodedImage:
        return image_decoder(self.settings)(data)

    def largest_face(self, data: bytes, *, label: str | None = None) -> LargestFace:
        """Decode ``data`` and embed its largest face; ``label`` (e.g. "image2") names the image in
        error messages when a request carries several."""
        try:
            decoded = self.decode(data)
        except ImageError as exc:
            if label is None:
                raise
            raise type(exc)(f"{label}: {exc.message}") from exc
        found = self.engine.largest_face(decoded)
        if found is None:
            raise NoFaceFound(f"no face was found in {label or 'the image'}")
        embedded, others = found
        return LargestFace(image=decoded, face=embedded, others=tuple(others))

    def start_catch_up(self) -> Future[None]:
        """Start catching up with other processes' writes beside the model compute that comes
        before a search; give the result to ``search`` or ``search_all``."""
        return self.sync.catch_up_soon()

    def search(self, embedding: Vector, *, top_k: int, caught_up: Future[None]) -> list[Candidate]:
        """The ``top_k`` nearest people, once ``caught_up`` (``start_catch_up``'s) is done."""
        return self.search_all([embedding], top_k=top_k, caught_up=caught_up)[0]

    def search_all(
        self, embeddings: list[Vector], *, top_k: int, caught_up: Future[None]
    ) -> list[list[Candidate]]:
        """``search`` for every face of a photo, after one catch-up (one query, not one per face)."""
        caught_up.result()
        return [self.index.search(e, top_k=top_k) for e in embeddings]

    def log(
        self, operation: LogOperation, *, threshold: float | None, client: str | None
    ) -> RecognitionLog:
        """Where one request's attempts are logged, each naming this engine's model pack."""
        return RecognitionLog(
            self.database,
            model_pack=self.model_pack,
            operation=operation,
            threshold=threshold,
            client=client,
        )
