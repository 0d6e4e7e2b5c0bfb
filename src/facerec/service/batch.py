"""Bulk enrollment: many photos of many people in one go, from a zip archive (the API) or a folder (the
CLI); ``batch_sources`` reads those and their layouts (``mapping.csv`` or person folders).

Each photo is its own transaction (``faces.enroll`` commits per call): a failed item (a bad CSV row, no
face, poor quality, a duplicate, a broken file) is reported with its error code, leaves nothing written
and does not stop the others. Re-running a batch is safe: a photo whose exact bytes the person already
has is ``already_enrolled`` and nothing is written. Imports the faces use case and the store; nothing of
the web.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from facerec.domain import Enrollment
from facerec.errors import FacerecError, ModelError, ServiceNotReady, StorageUnavailable
from facerec.service import faces
from facerec.service.batch_sources import (
    BatchItem,
    PlannedItem,
    RejectedItem,
    items_from_directory,
    items_from_zip,
)
from facerec.service.recognizer import Recognizer
from facerec.store import repositories as repo

__all__ = [
    "BatchItem",
    "BatchReport",
    "ItemError",
    "ItemResult",
    "ItemStatus",
    "PlannedItem",
    "RejectedItem",
    "enroll_archive",
    "enroll_batch",
    "items_from_directory",
    "items_from_zip",
]

# The service's own failures, not the photo's: every later item would fail the same way, so the batch
# stops (and a re-run skips what was enrolled).
BATCH_STOPPERS = (StorageUnavailable, ModelError, ServiceNotReady)


class ItemStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemError:
    code: str
    message: str
    details: dict[str, object] | None = None


@dataclass(frozen=True)
class ItemResult:
    """One line of the report. ``person_type`` and ``person_id`` are as given (a failed CSV row's may
    be invalid); ``enrollment`` (when enrolled) carries what the warnings are made of."""

    source: str
    person_type: str
    person_id: str
    status: ItemStatus
    face_id: int | None = None  # enrolled or already_enrolled
    enrollment: Enrollment | None = None
    error: ItemError | None = None  # failed


@dataclass(frozen=True)
class BatchReport:
    items: tuple[ItemResult, ...]

    def count(self, status: ItemStatus) -> int:
        return sum(1 for item in self.items if item.status is status)

    @property
    def enrolled(self) -> int:
        return self.count(ItemStatus.ENROLLED)

    @property
    def already_enrolled(self) -> int:
        return self.count(ItemStatus.ALREADY_ENROLLED)

    @property
    def failed(self) -> int:
        return self.count(ItemStatus.FAILED)


Progress = Callable[[ItemResult], None]


def enroll_batch(
    recognizer: Recognizer,
    *,
    items: Sequence[PlannedItem],
    overrides: faces.Overrides = faces.Overrides(),
    client: str | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Enrol every item in order, each in its own transaction, calling ``progress`` after each.

    A failed item is reported and the batch goes on; the service's own failures (database unreachable,
    model unavailable) stop it instead, since they are not about the photo."""
    results = []
    for item in items:
        result = _enroll_item(recognizer, item, overrides=overrides, client=client)
        results.append(result)
        if progress is not None:
            progress(result)
    return BatchReport(items=tuple(results))


def enroll_archive(
    recognizer: Recognizer,
    *,
    archive: IO[bytes],
    default_person_type: str,
    overrides: faces.Overrides = faces.Overrides(),
    client: str | None = None,
) -> BatchReport:
    """Enrol the photos of a zip archive (a seekable binary file); see ``items_from_zip``."""
    items = items_from_zip(
        archive, default_person_type=default_person_type, settings=recognizer.settings
    )
    return enroll_batch(recognizer, items=items, overrides=overrides, client=client)


def _enroll_item(
    recognizer: Recognizer, item: PlannedItem, *, overrides: faces.Overrides, client: str | None
) -> ItemResult:
    if isinstance(item, RejectedItem):
        return _failed(item.source, item.person_type, item.person_id, item.error)
    kind, person_id = item.ref.person_type.value, item.ref.person_id
    try:
        image = item.image(max_bytes=recognizer.settings.max_image_bytes)
        sha256 = hashlib.sha256(image).hexdigest()
        with recognizer.database.session() as session:
            existing = repo.find_face_by_image(session, ref=item.ref, image_sha256=sha256)
        if existing is not None:
            return ItemResult(
                item.source, kind, person_id, ItemStatus.ALREADY_ENROLLED, existing.face_id
            )
        enrollment = faces.enroll(
            recognizer,
            image=image,
            ref=item.ref,
            name=item.name,
            class_name=item.class_name,
            overrides=overrides,
            client=client,
        )
    except BATCH_STOPPERS:
        raise
    except FacerecError as exc:
        return _failed(item.source, kind, person_id, exc)
    return ItemResult(
        item.source,
        kind,
        person_id,
        ItemStatus.ENROLLED,
        face_id=enrollment.record.face_id,
        enrollment=enrollment,
    )


def _failed(source: str, person_type: str, person_id: str, exc: FacerecError) -> ItemResult:
    error = ItemError(code=exc.code, message=exc.message, details=exc.details)
    return ItemResult(source, person_type, person_id, ItemStatus.FAILED, error=error)
