"""The API's JSON shapes (pydantic), and their conversion from domain objects. Nothing else."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, Field

from facerec import domain


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable error code")
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "Empty or damaged image",
        401: "Missing or wrong X-API-Key",
        404: "No such face",
        413: "Image or request too large",
        415: "Not a supported image format",
        422: "Invalid input, or no face found",
        503: "Model or database unavailable",
    }.items()
}


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
            face_id=record.face_id,
            person_type=record.person.person_type,
            person_id=record.person.person_id,
            model_pack=record.model_pack,
            bbox=BBox.of(record.bbox),
            det_score=round(record.det_score, 4),
            created_at=record.created_at.replace(tzinfo=timezone.utc),  # stored as naive UTC
            image_url=f"/v1/faces/{record.face_id}/image",
        )


class EnrollResponse(EnrolledFace):
    faces_in_image: int = Field(description="Faces found; the largest was enrolled")
    warnings: list[str]

    @classmethod
    def of_enrollment(cls, enrollment: domain.Enrollment) -> EnrollResponse:
        warnings = []
        if enrollment.faces_in_image > 1:
            warnings.append(
                f"{enrollment.faces_in_image} faces were found; the largest one was enrolled"
            )
        return cls(
            **EnrolledFace.of(enrollment.record).model_dump(),
            faces_in_image=enrollment.faces_in_image,
            warnings=warnings,
        )


class FaceList(BaseModel):
    faces: list[EnrolledFace]
    total: int
    limit: int
    offset: int


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
        return cls(
            person_type=candidate.person.person_type,
            person_id=candidate.person.person_id,
            face_id=candidate.face_id,
            similarity=round(candidate.similarity, 4),
        )


class IdentifiedFace(BaseModel):
    bbox: BBox
    score: float
    match: Candidate | None = Field(description="The best person above the threshold, or null")
    candidates: list[Candidate]

    @classmethod
    def of(cls, result: domain.IdentifiedFace) -> IdentifiedFace:
        return cls(
            bbox=BBox.of(result.face.bbox),
            score=round(result.face.score, 4),
            match=Candidate.of(result.match) if result.match else None,
            candidates=[Candidate.of(c) for c in result.candidates],
        )


class IdentifyResponse(BaseModel):
    faces: list[IdentifiedFace]
    threshold: float


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
    provider: str
    available_providers: list[str]
    faces_indexed: int
    database: str


class ReindexResponse(BaseModel):
    indexed: int
