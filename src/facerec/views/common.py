"""The JSON shapes of faces, recognition, errors and the service's state (pydantic), and their conversion
from domain objects. Nothing else."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from pydantic import BaseModel, Field

from facerec import domain
from facerec.service.status import ServiceInfo

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: None) -> None: ...
def utc(moment: datetime | None) -> datetime | None:
    """A time the store keeps as naive UTC, with its time zone said."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


def flat(source: DataclassInstance) -> dict[str, Any]:
    """A domain dataclass's fields as a view takes them: a person (``ref`` or ``person``, perhaps
    null) spread into ``person_type`` and ``person_id``, a session into ``date``, ``session_id`` and
    ``class_name``, times in UTC and boxes as ``BBox``. A view ignores the fields it does not have."""
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(source):
        value = getattr(source, field.name)
        if field.name in ("ref", "person"):
            fields["person_type"] = value.person_type if value else None
            fields["person_id"] = value.person_id if value else None
        elif isinstance(value, domain.AttendanceSession):
            fields.update(date=value.date, session_id=value.session_id, class_name=value.class_name)
        elif isinstance(value, datetime):
            fields[field.name] = utc(value)
        elif isinstance(value, domain.BoundingBox):
            fields[field.name] = BBox.of(value)
        else:
            fields[field.name] = value
    return fields


def rounded(value: float | None, places: int = 4) -> float | None:
    return round(value, places) if value is not None else None


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable error code")
    message: str
    details: dict[str, Any] | None = Field(
        None,
        description="Only on some errors: poor_quality gives reasons and quality; duplicate_face "
        "gives the person the face already matches",
    )


class ErrorResponse(BaseModel):
    error: ErrorDetail


class BBox(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float

    @classmethod
    def of(cls, box: domain.BoundingBox) -> BBox:
        return cls(
            x1=round(box.x1, 1), y1=round(box.y1, 1), x2=round(box.x2, 1), y2=round(box.y2, 1)
        )


class Face(BaseModel):
    bbox: BBox
    landmarks: list[tuple[float, float]] = Field(
        description="left eye, right eye, nose, mouth corners"
    )
    score: float = Field(description="Detection score, 0 to 1")

    @classmethod
    def of(cls, face: domain.DetectedFace) -> Face:
        return cls(
            bbox=BBox.of(face.bbox),
            landmarks=[(round(x, 1), round(y, 1)) for x, y in face.landmarks],
            score=round(face.score, 4),
        )


class Quality(BaseModel):
    face_px: float = Field(description="Shorter side of the face box, pixels")
    det_score: float = Field(description="Detection score, 0 to 1")
    sharpness: float = Field(description="Variance of the Laplacian of the aligned face")
    brightness: float = Field(description="Mean grey level of the aligned face, 0 to 255")
    yaw_deg: float
    pitch_deg: float
    roll_deg: float

    @classmethod
    def of(cls, quality: domain.FaceQuality) -> Quality:  # a score to 4 places, the rest to 1
        return cls(
            **{
                name: round(getattr(quality, name), 4 if name == "det_score" else 1)
                for name in Quality.model_fields
            }
        )


class QualityCheck(Quality):
    passed: bool
    reasons: list[domain.QualityReason] = Field(description="The limits the face fails")

    @classmethod
    def of_check(cls, check: domain.QualityCheck) -> QualityCheck:
        return cls(
            **Quality.of(check.quality).model_dump(),
            passed=check.passed,
            reasons=list(check.reasons),
        )


class EnrolledFace(BaseModel):
    face_id: int
    person_type: domain.PersonType
    person_id: str
    model_pack: str
    bbox: BBox
    det_score: float
    created_at: datetime
    image_url: str

    @classmethod
    def of(cls, record: domain.FaceRecord) -> EnrolledFace:
        return cls(
            **flat(record)
            | {
                "det_score": round(record.det_score, 4),
                "image_url": f"/v1/faces/{record.face_id}/image",
            }
        )


class EnrollResponse(EnrolledFace):
    faces_in_image: int = Field(description="Faces found; the largest was enrolled")
    quality: QualityCheck
    warnings: list[str]

    @classmethod
    def of_enrollment(cls, enrollment: domain.Enrollment) -> EnrollResponse:
        warnings = []
        if enrollment.faces_in_image > 1:
            warnings.append(
                f"{enrollment.faces_in_image} faces were found; the largest one was enrolled"
            )
        if not enrollment.quality.passed:
            codes = ", ".join(r.value for r in enrollment.quality.reasons)
            warnings.append(f"enrolled despite poor quality ({codes})")
        if enrollment.closest_other is not None:
            other = enrollment.closest_other
            warnings.append(
                f"enrolled although the face matches {other.person.person_type.value} "
                f"{other.person.person_id} (similarity {other.similarity:.3f})"
            )
        return cls(
            **EnrolledFace.of(enrollment.record).model_dump(),
            faces_in_image=enrollment.faces_in_image,
            quality=QualityCheck.of_check(enrollment.quality),
            warnings=warnings,
        )


class FaceQuery(BaseModel):
    """The filters of GET /v1/faces, as query parameters."""

    person_type: str | None = Field(None, description="student or teacher")
    person_id: str | None = None


class VerifyResponse(BaseModel):
    same_person: bool
    similarity: float = Field(description="Cosine similarity of the two faces, -1 to 1")
    threshold: float
    face1: Face
    face2: Face

    @classmethod
    def of(cls, result: domain.Verification) -> VerifyResponse:
        return cls(
            same_person=result.same_person,
            similarity=round(result.similarity, 4),
            threshold=result.threshold,
            face1=Face.of(result.face1),
            face2=Face.of(result.face2),
        )


class Candidate(BaseModel):
    person_type: domain.PersonType
    person_id: str
    face_id: int
    similarity: float

    @classmethod
    def of(cls, candidate: domain.Candidate) -> Candidate:
        return cls(**flat(candidate) | {"similarity": round(candidate.similarity, 4)})


class IdentifiedFace(BaseModel):
    bbox: BBox
    score: float
    decision: domain.Decision = Field(
        description="match: the person, clearly. needs_review: a person in the confirmation band, "
        "or with a look-alike close behind; confirm by hand. unknown: nobody enrolled"
    )
    match: Candidate | None = Field(
        description="The person the decision points at (match or needs_review), or null"
    )
    quality: Quality
    candidates: list[Candidate]

    @classmethod
    def of(cls, result: domain.IdentifiedFace) -> IdentifiedFace:
        return cls(
            bbox=BBox.of(result.face.bbox),
            score=round(result.face.score, 4),
            decision=result.decision,
            match=Candidate.of(result.match) if result.match else None,
            quality=Quality.of(result.quality),
            candidates=[Candidate.of(c) for c in result.candidates],
        )


class IdentifyResponse(BaseModel):
    faces: list[IdentifiedFace]
    threshold: float = Field(description="match at or above")
    review_from: float = Field(description="needs_review from here up to the threshold")
    margin: float = Field(description="needs_review when the runner-up is this close to the best")

    @classmethod
    def of(cls, result: domain.Identification) -> IdentifyResponse:
        return cls(
            faces=[IdentifiedFace.of(f) for f in result.faces],
            threshold=result.rule.threshold,
            review_from=round(result.rule.review_from, 4),
            margin=result.rule.margin,
        )


class DetectResponse(BaseModel):
    faces: list[Face]


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    model_loaded: bool
    database: bool


class Info(BaseModel):
    version: str
    model_pack: str
    model_description: str
    embedding_size: int
    threshold: float
    review_from: float = Field(description="needs_review from here up to the threshold")
    review_margin: float
    threshold_calibration: str = Field(description="How the pack's default threshold was chosen")
    provider: str
    available_providers: list[str]
    faces_indexed: int
    database: str

    @classmethod
    def of(cls, info: ServiceInfo) -> Info:
        return cls(**asdict(info))


class ReindexResponse(BaseModel):
    indexed: int
