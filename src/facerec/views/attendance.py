"""The JSON shapes of attendance: marking from a photo, records, reviews, corrections, reports."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from pydantic import BaseModel, Field

from facerec import domain
from facerec.service import attendance, reports
from facerec.views.common import BBox, Candidate, flat


class AttendanceSession(BaseModel):
    date: Date
    session_id: str = Field(description="Empty: the whole day")
    class_name: str | None

    @classmethod
    def of(cls, session: domain.AttendanceSession) -> AttendanceSession:
        return cls(date=session.date, session_id=session.session_id, class_name=session.class_name)


class PresentFace(BaseModel):
    person_type: domain.PersonType
    person_id: str
    name: str | None
    confidence: float = Field(description="Cosine similarity to the person's best enrolled face")
    bbox: BBox
    record_id: int
    marked: domain.Marked = Field(
        description="new: marked now. already_present: marked before in the same session. "
        "kept_absent: marked absent by hand before; the photo does not override it"
    )

    @classmethod
    def of(cls, found: attendance.PresentFace) -> PresentFace:
        return cls(
            person_type=found.record.person.person_type,
            person_id=found.record.person.person_id,
            name=found.record.name,
            confidence=round(found.similarity, 4),
            bbox=BBox.of(found.face.bbox),
            record_id=found.record.record_id,
            marked=found.marked,
        )


class ReviewFace(BaseModel):
    review_id: int
    review_status: domain.ReviewStatus
    person_type: domain.PersonType = Field(description="The best candidate, to confirm or reject")
    person_id: str
    name: str | None
    similarity: float
    bbox: BBox
    candidates: list[Candidate]

    @classmethod
    def of(cls, found: attendance.ReviewFace) -> ReviewFace:
        review = found.review
        return cls(
            review_id=review.review_id,
            review_status=review.status,
            person_type=review.person.person_type,
            person_id=review.person.person_id,
            name=review.name,
            similarity=review.similarity,
            bbox=BBox.of(found.face.bbox),
            candidates=[Candidate.of(c) for c in found.candidates[:3]],
        )


class UnknownFace(BaseModel):
    bbox: BBox
    score: float = Field(description="Detection score")
    best_similarity: float | None = Field(description="To the closest enrolled person")

    @classmethod
    def of(cls, found: attendance.UnknownFace) -> UnknownFace:
        best = found.best_similarity
        return cls(
            bbox=BBox.of(found.face.bbox),
            score=round(found.face.score, 4),
            best_similarity=round(best, 4) if best is not None else None,
        )


class AttendanceResponse(BaseModel):
    session: AttendanceSession
    source: domain.AttendanceSource
    faces_found: int
    present: list[PresentFace]
    needs_review: list[ReviewFace] = Field(
        description="Faces to confirm or reject (POST /v1/attendance/reviews/{review_id}/...)"
    )
    unknown: list[UnknownFace]
    threshold: float
    review_from: float
    margin: float

    @classmethod
    def of(cls, result: attendance.AttendanceResult) -> AttendanceResponse:
        return cls(
            session=AttendanceSession.of(result.session),
            source=result.source,
            faces_found=result.faces_found,
            present=[PresentFace.of(p) for p in result.present],
            needs_review=[ReviewFace.of(r) for r in result.needs_review],
            unknown=[UnknownFace.of(u) for u in result.unknown],
            threshold=result.rule.threshold,
            review_from=round(result.rule.review_from, 4),
            margin=result.rule.margin,
        )


class Record(BaseModel):
    record_id: int
    person_type: domain.PersonType
    person_id: str
    name: str | None
    date: Date
    session_id: str
    class_name: str | None
    status: domain.AttendanceStatus
    confidence: float | None
    source: domain.AttendanceSource
    recorded_at: datetime
    recorded_by: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, record: domain.AttendanceRecord) -> Record:
        return cls(**flat(record))


class ChangeQuery(BaseModel):
    """The filters of the audit trail, as query parameters; each left out filters nothing."""

    date_from: Date | None = Field(None, alias="from", description="First date (inclusive)")
    date_to: Date | None = Field(None, alias="to", description="Last date (inclusive)")
    session_id: str | None = None
    person_type: str | None = Field(None, description="student or teacher")
    person_id: str | None = Field(None, description="Needs person_type")


class RecordQuery(ChangeQuery):
    """The filters of the records, their CSV export and the audit trail."""

    class_name: str | None = None
    status: domain.AttendanceStatus | None = None
    source: domain.AttendanceSource | None = None


class ReviewQuery(BaseModel):
    """The filters of the review queue."""

    date_from: Date | None = Field(None, alias="from")
    date_to: Date | None = Field(None, alias="to")
    class_name: str | None = None
    session_id: str | None = None
    status: domain.ReviewStatus | None = Field(
        domain.ReviewStatus.PENDING, description="Default: pending"
    )


class Actor(BaseModel):
    by: str = Field(description="Who makes the change (a teacher's id or name)", max_length=64)
    note: str | None = Field(None, max_length=255)


class MarkRequest(Actor):
    person_type: domain.PersonType
    person_id: str
    status: domain.AttendanceStatus
    date: Date | None = Field(None, description="Default: today")
    session_id: str | None = None
    class_name: str | None = None


class ConfirmRequest(Actor):
    person_type: domain.PersonType | None = Field(
        None, description="Confirm as someone else than the candidate (with person_id)"
    )
    person_id: str | None = None


class Review(BaseModel):
    review_id: int
    person_type: domain.PersonType
    person_id: str
    name: str | None
    date: Date
    session_id: str
    class_name: str | None
    similarity: float
    bbox: BBox
    source: domain.AttendanceSource
    status: domain.ReviewStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, review: domain.AttendanceReview) -> Review:
        return cls(**flat(review))


class Confirmation(BaseModel):
    review: Review
    record: Record


class Change(BaseModel):
    change_id: int
    person_type: domain.PersonType
    person_id: str
    date: Date
    session_id: str
    action: domain.ChangeAction
    old_status: domain.AttendanceStatus | None
    new_status: domain.AttendanceStatus | None
    record_id: int | None
    review_id: int | None
    changed_by: str
    note: str | None
    client: str | None
    changed_at: datetime

    @classmethod
    def of(cls, change: domain.AttendanceChange) -> Change:
        return cls(**flat(change))


class Absentee(BaseModel):
    person_id: str
    name: str | None
    class_name: str | None
    status: domain.AttendanceStatus | None = Field(
        description="absent: marked so by hand; null: not marked at all"
    )

    @classmethod
    def of(cls, absentee: reports.Absentee) -> Absentee:
        return cls(**flat(absentee.person) | {"status": absentee.status})


class AbsenteeList(BaseModel):
    session: AttendanceSession
    absentees: list[Absentee]


class History(BaseModel):
    person_type: domain.PersonType
    person_id: str
    name: str | None
    present: int
    absent: int
    records: list[Record]

    @classmethod
    def of(cls, history: reports.History) -> History:
        return cls(
            **flat(history.person)
            | {
                "present": history.present,
                "absent": history.absent,
                "records": [Record.of(r) for r in history.records],
            }
        )
