"""The domain's data: frozen dataclasses that travel between layers.

An embedding is always a unit-length ``float32[D]`` numpy array, checked once where it is made
(``unit_embedding``). Imports nothing of the web, the database or the models.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


class PersonType(str, enum.Enum):
    STUDENT = "student"
    TEACHER = "teacher"


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


@dataclass(frozen=True, eq=False)
class EmbeddedFace:
    face: DetectedFace
    embedding: Vector


@dataclass(frozen=True)
class PersonRef:
    person_type: PersonType
    person_id: str


@dataclass(frozen=True)
class Person:
    person_type: PersonType
    person_id: str
    name: str | None


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
    match: Candidate | None
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Identification:
    faces: tuple[IdentifiedFace, ...]
    threshold: float


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
