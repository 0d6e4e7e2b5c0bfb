"""Maintenance use cases: rebuild the index from the store, re-embed stored faces with the current pack.

Imports the engine, store and index layers; nothing of the web.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from facerec.domain import BoundingBox
from facerec.errors import FacerecError
from facerec.service.recognizer import Recognizer
from facerec.store import repositories as repo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReindexReport:
    indexed: int
    reembedded: int
    failed: list[int]


def reindex(recognizer: Recognizer, *, reembed_other_packs: bool = False) -> ReindexReport:
    """Rebuild the index from the database; optionally first re-embed faces made by other packs
    from their stored images, so that a change of model pack keeps everyone searchable."""
    reembedded, failed = 0, []
    if reembed_other_packs:
        for face_id, ok in _reembed(recognizer):
            if ok:
                reembedded += 1
            else:
                failed.append(face_id)
    # Faces made by another model pack are left out of the index (and said).
    indexed = recognizer.sync.load()
    return ReindexReport(indexed=indexed, reembedded=reembedded, failed=failed)


def _reembed(recognizer: Recognizer) -> Iterator[tuple[int, bool]]:
    with recognizer.database.session() as session:
        ids = repo.face_ids_of_other_packs(session, model_pack=recognizer.model_pack)
    for face_id in ids:
        with recognizer.database.session() as session:
            source = repo.get_face_source(session, face_id=face_id)
        if source is None:
            yield face_id, False
            continue
        image, stored_box = source
        try:
            decoded = recognizer.decode(image)
        except FacerecError as exc:
            log.warning("face %d cannot be re-embedded: %s", face_id, exc.message)
            yield face_id, False
            continue
        faces = recognizer.engine.detect(decoded)
        if not faces:
            yield face_id, False
            continue
        face = max(faces, key=lambda f: _iou(f.bbox, stored_box))
        embedded = recognizer.engine.embed_faces(decoded, [face])[0]
        with recognizer.database.session() as session:
            repo.update_embedding(
                session,
                face_id=face_id,
                embedding=embedded.embedding,
                model_pack=recognizer.model_pack,
                bbox=face.bbox,
                det_score=face.score,
            )
        yield face_id, True


def _iou(a: BoundingBox, b: BoundingBox) -> float:
    inter = BoundingBox(max(a.x1, b.x1), max(a.y1, b.y1), min(a.x2, b.x2), min(a.y2, b.y2)).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0
