"""The domain's errors.

Every error facerec raises on purpose is a ``FacerecError``. Each class carries a stable ``code``
(part of the API contract: clients switch on it) and a human message. The HTTP status and the CLI exit
code of each class live in one table each: ``api/errors.py`` and ``cli.py``. Nothing below ``api/``
knows about HTTP.

    FacerecError
    ├── InvalidInput            bad arguments (422)
    ├── ImageError              the upload is not a usable image
    │   ├── EmptyImage          0 bytes (400)
    │   ├── ImageTooLarge       over the byte or pixel limit (413)
    │   ├── UnsupportedImage    not a format we decode (415)
    │   └── CorruptImage        a known format, but broken (400)
    ├── NoFaceFound             no face in the image (422)
    ├── PoorQuality             the face fails the enrollment quality gate (422, details: reasons)
    ├── NotFound
    │   ├── FaceNotFound        (404)
    │   ├── PersonNotFound      (404)
    │   └── ReviewNotFound      an attendance review (404)
    ├── Conflict                (409)
    │   ├── DuplicateFace       the face already matches another person (409, details: who)
    │   ├── PersonExists        creating a person whose id is taken (409)
    │   └── ReviewResolved      confirming a rejected review, or rejecting a confirmed one (409)
    ├── Unauthorized            no or wrong API key (401)
    ├── ModelError              a model pack is missing, corrupt or cannot be fetched (503)
    ├── ServiceNotReady         still starting, or failed to start (503)
    └── StorageUnavailable      the database cannot be reached (503)

Third-party errors (Pillow, SQLAlchemy, onnxruntime, HTTP clients) are translated into these where
they enter the code, never passed up raw.
"""

from __future__ import annotations


class FacerecError(Exception):
    """Base class. ``code`` is stable; ``message`` is for people; ``details`` (optional, JSON-able)
    are for programs that want to act on the error."""

    code = "error"

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(FacerecError):
    code = "invalid_input"


class ImageError(FacerecError):
    code = "invalid_image"


class EmptyImage(ImageError):
    code = "empty_image"


class ImageTooLarge(ImageError):
    code = "image_too_large"


class UnsupportedImage(ImageError):
    code = "unsupported_image"


class CorruptImage(ImageError):
    code = "corrupt_image"


class NoFaceFound(FacerecError):
    code = "no_face_found"


class PoorQuality(FacerecError):
    code = "poor_quality"


class NotFound(FacerecError):
    code = "not_found"


class FaceNotFound(NotFound):
    code = "face_not_found"


class PersonNotFound(NotFound):
    code = "person_not_found"


class ReviewNotFound(NotFound):
    code = "review_not_found"


class Conflict(FacerecError):
    code = "conflict"


class DuplicateFace(Conflict):
    code = "duplicate_face"


class PersonExists(Conflict):
    code = "person_exists"


class ReviewResolved(Conflict):
    code = "review_resolved"


class Unauthorized(FacerecError):
    code = "unauthorized"


class ModelError(FacerecError):
    code = "model_unavailable"


class ServiceNotReady(FacerecError):
    code = "not_ready"


class StorageUnavailable(FacerecError):
    code = "storage_unavailable"
