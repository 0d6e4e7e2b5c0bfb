"""The domain's data: frozen dataclasses that travel between layers.

An embedding is always a unit-length ``float32[D]`` numpy array, checked once where it is made
(``unit_embedding``). Imports nothing of the web, the database or the models.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
T = TypeVar("T")


PAGE_LIMIT_MAX = 1000  # the most items one page of a list holds


@dataclass(frozen=True)
class Paging:
    """Which part of a list to return: at most ``limit`` items (1 to ``PAGE_LIMIT_MAX``), after
    the first ``offset``."""

    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and how many items the whole list holds (on every page)."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], total: int, paging: Paging) -> Page[T]:
        return cls(items=items, total=total, limit=paging.limit, offset=paging.offset)


class PersonType(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"


class Decision(enum.StrEnum):
    """What identification concluded about one face."""

    MATCH = "match"  # the best person is above the threshold and clearly ahead of the next one
    NEEDS_REVIEW = "needs_review"  # in the confirmation band, or a look-alike is close behind
    UNKNOWN = "unknown"  # nobody enrolled is close enough


class QualityReason(enum.StrEnum):
    """Why a face is not good enough to enrol (stable codes, like Rekognition's reasons)."""

    SMALL_FACE = "small_face"
    LOW_CONFIDENCE = "low_confidence"
    LOW_SHARPNESS = "low_sharpness"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    EXTREME_POSE = "extreme_pose"
    MULTIPLE_FACES = "multiple_faces"


def unit_embedding(raw: npt.ArrayLike) -> Vector:
    """Return ``raw`` as a contiguous, L2-normalised float32 vector; refuse a zero or non-finite one."""
    vector = np.ascontiguousarray(raw, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        raise ValueError("embedding is zero or not finite")
    return vector / np.float32(norm)


@dataclass(frozen=True)
class BoundingBox:
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return max(self.width, 0.0) * max(self.height, 0.0)


@dataclass(frozen=True)
class DetectedFace:
    """One face found by the detector, in the coordinates of the decoded (upright) image."""

    bbox: BoundingBox
    landmarks: tuple[tuple[float, float], ...]  # 5 points: eyes, nose, mouth corners
    score: float


@dataclass(frozen=True)
class FaceQuality:
    """How usable a face is (``engine/quality.py`` says how each figure is measured)."""

    face_px: float  # the shorter side of the face's box
    det_score: float
    sharpness: float  # variance of the Laplacian of the aligned crop: low means blurred
    brightness: float  # mean grey level of the aligned crop's centre, 0 to 255
    yaw_deg: float
    pitch_deg: float
    roll_deg: float


@dataclass(frozen=True)
class QualityCheck:
    """A face's quality figures and the limits it fails (none: it passed)."""

    quality: FaceQuality
    reasons: tuple[QualityReason, ...]

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True, eq=False)
class EmbeddedFace:
    face: DetectedFace
    embedding: Vector
    quality: FaceQuality


@dataclass(frozen=True)
class PersonRef:
    person_type: PersonType
    person_id: str


@dataclass(frozen=True)
class Person:
    ref: PersonRef
    name: str | None
    class_name: str | None  # class or group
    active: bool  # inactive people stay stored but are not searched (nor marked present)
    created_at: datetime
    updated_at: datetime | None
    face_count: int


class Unset(enum.Enum):
    """A field a partial update leaves as it is."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True)
class PersonChanges:
    name: str | Unset | None = UNSET
    class_name: str | Unset | None = UNSET
    active: bool | Unset = UNSET


@dataclass(frozen=True)
class FaceRecord:
    """An enrolled face as stored (without its embedding or image)."""

    face_id: int
    person: PersonRef
    model_pack: str
    bbox: BoundingBox
    det_score: float
    created_at: datetime
    image_mime: str | None


@dataclass(frozen=True)
class Candidate:
    face_id: int
    person: PersonRef
    similarity: float


@dataclass(frozen=True)
class IdentifiedFace:
    face: DetectedFace
    quality: FaceQuality
    decision: Decision
    match: Candidate | None  # the best person when the decision is match or needs_review
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class DecisionRule:
    """How a face's candidates become a decision (``service/decisions.py``)."""

    threshold: float  # match at or above
    review_from: float  # needs_review from here up to the threshold
    margin: float  # needs_review when the second person is within this of the best


@dataclass(frozen=True)
class Identification:
    faces: tuple[IdentifiedFace, ...]
    rule: DecisionRule


@dataclass(frozen=True)
class Verification:
    same_person: bool
    similarity: float
    threshold: float
    face1: DetectedFace
    face2: DetectedFace


@dataclass(frozen=True)
class Enrollment:
    record: FaceRecord
    faces_in_image: int
    quality: QualityCheck  # reasons are non-empty only when the operator overrode the gate
    closest_other: Candidate | None  # set when the operator overrode the duplicate check


class LogOperation(enum.StrEnum):
    """What a recognition log row records an attempt of."""

    VERIFY = "verify"
    IDENTIFY = "identify"
    ENROLL = "enroll"
    ATTENDANCE = "attendance"


class LogResult(enum.StrEnum):
    """How an attempt ended: a decision, an enrollment, or the error code that stopped it (one
    member per ``FacerecError.code``)."""

    MATCH = "match"
    NO_MATCH = "no_match"
    NEEDS_REVIEW = "needs_review"
    UNKNOWN = "unknown"
    ENROLLED = "enrolled"
    ERROR = "error"
    INVALID_INPUT = "invalid_input"
    INVALID_IMAGE = "invalid_image"
    EMPTY_IMAGE = "empty_image"
    IMAGE_TOO_LARGE = "image_too_large"
    UNSUPPORTED_IMAGE = "unsupported_image"
    CORRUPT_IMAGE = "corrupt_image"
    NO_FACE_FOUND = "no_face_found"
    POOR_QUALITY = "poor_quality"
    NOT_FOUND = "not_found"
    FACE_NOT_FOUND = "face_not_found"
    PERSON_NOT_FOUND = "person_not_found"
    REVIEW_NOT_FOUND = "review_not_found"
    CONFLICT = "conflict"
    DUPLICATE_FACE = "duplicate_face"
    PERSON_EXISTS = "person_exists"
    REVIEW_RESOLVED = "review_resolved"
    UNAUTHORIZED = "unauthorized"
    MODEL_UNAVAILABLE = "model_unavailable"
    NOT_READY = "not_ready"
    STORAGE_UNAVAILABLE = "storage_unavailable"


@dataclass(frozen=True)
class LogRecord:
    """One recognition attempt as logged: its result and score, never an embedding or an image."""

    log_id: int
    operation: LogOperation
    result: LogResult
    similarity: float | None  # the best similarity seen; None when no face was compared
    threshold: float | None
    person: PersonRef | None
    face_id: int | None
    model_pack: str | None
    client: str | None
    created_at: datetime  # naive UTC


# Attendance -------------------------------------------------------------------------------------------


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


class AttendanceSource(enum.StrEnum):
    PHOTO = "photo"  # a class or group photo
    KIOSK = "kiosk"  # a check-in camera, one person at a time
    MANUAL = "manual"  # set by hand; a photo never overrides it


class Marked(enum.StrEnum):
    """What taking attendance did for a recognised person."""

    NEW = "new"  # marked present now
    ALREADY_PRESENT = "already_present"  # marked present earlier, for the same session
    KEPT_ABSENT = "kept_absent"  # marked absent by hand before; a photo never overrides it


class ChangeAction(enum.StrEnum):
    """A correction in the attendance audit trail."""

    CONFIRM = "confirm"
    REJECT = "reject"
    MARK_PRESENT = "mark_present"
    MARK_ABSENT = "mark_absent"


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class AttendanceSession:
    """What a mark belongs to: a date and a session id ("" means the whole day); the class is noted
    on the record and decides who the absentees are."""

    date: date
    session_id: str
    class_name: str | None


@dataclass(frozen=True)
class AttendanceRecord:
    record_id: int
    person: PersonRef
    name: str | None
    session: AttendanceSession
    status: AttendanceStatus
    confidence: float | None  # the similarity that marked it; None when set by hand
    source: AttendanceSource
    recorded_at: datetime
    recorded_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class AttendanceReview:
    """A face whose best candidate needs a person's confirmation."""

    review_id: int
    person: PersonRef  # the candidate
    name: str | None
    session: AttendanceSession
    similarity: float
    bbox: BoundingBox
    source: AttendanceSource
    status: ReviewStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


@dataclass(frozen=True)
class AttendanceChange:
    change_id: int
    person: PersonRef
    session: AttendanceSession
    action: ChangeAction
    old_status: AttendanceStatus | None
    new_status: AttendanceStatus | None
    record_id: int | None
    review_id: int | None
    changed_by: str
    note: str | None
    client: str | None
    changed_at: datetime
