"""AttendanceReviews: faces of attendance photos whose best candidate a person must confirm; one per
candidate, date and session.

Keyword-only arguments; the caller owns the session and its transaction. Imports SQLAlchemy, the
tables and the domain types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from facerec.domain import (
    AttendanceReview,
    AttendanceSession,
    AttendanceSource,
    BoundingBox,
    PersonRef,
    ReviewStatus,
)
from facerec.errors import ReviewNotFound
from facerec.store.clock import utcnow
from facerec.store.dialect import insert_if_absent
from facerec.store.owners import owner_ref, owner_values, person_key, with_owner_name
from facerec.store.sessions import (
    SessionFilters,
    one_person_session,
    row_session,
    session_conditions,
)
from facerec.store.tables import AttendanceReviews


@dataclass(frozen=True)
class ReviewFilters(SessionFilters):
    status: ReviewStatus | None = None


def add_review_if_absent(
    session: Session,
    *,
    ref: PersonRef,
    attendance: AttendanceSession,
    similarity: float,
    bbox: BoundingBox,
    source: AttendanceSource,
) -> AttendanceReview:
    """The pending (or already resolved) review of this candidate in the session; a photo sent
    again adds nothing."""
    insert_if_absent(
        session,
        AttendanceReviews,
        {
            "PersonKey": person_key(ref),
            **owner_values(ref),
            "AttendanceDate": attendance.date,
            "SessionID": attendance.session_id,
            "ClassName": attendance.class_name,
            "Similarity": similarity,
            "BBox": [bbox.x1, bbox.y1, bbox.x2, bbox.y2],
            "Source": source.value,
            "Status": ReviewStatus.PENDING.value,
            "CreatedAt": utcnow(),
        },
    )
    row = session.execute(
        _query()
        .where(*one_person_session(AttendanceReviews, ref, attendance))
        # A locking read: a plain SELECT may answer from an older snapshot of this transaction
        # (MariaDB/MySQL) and miss the review that a concurrent request committed meanwhile.
        .with_for_update(read=True)
    ).one()
    return _review(row)


def get_review(session: Session, *, review_id: int) -> AttendanceReview:
    row = session.execute(_query().where(AttendanceReviews.ReviewID == review_id)).one_or_none()
    if row is None:
        raise ReviewNotFound(f"review {review_id} does not exist")
    return _review(row)


def resolve_review(
    session: Session, *, review_id: int, status: ReviewStatus, resolved_by: str
) -> AttendanceReview:
    session.execute(
        update(AttendanceReviews)
        .where(AttendanceReviews.ReviewID == review_id)
        .values(Status=status.value, ResolvedBy=resolved_by, ResolvedAt=utcnow())
    )
    return get_review(session, review_id=review_id)


def query_reviews(
    session: Session, *, filters: ReviewFilters, limit: int, offset: int
) -> tuple[list[AttendanceReview], int]:
    table = AttendanceReviews
    query = _query().where(*session_conditions(table, filters))
    if filters.class_name is not None:
        query = query.where(table.ClassName == filters.class_name)
    if filters.status is not None:
        query = query.where(table.Status == filters.status.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(table.ReviewID).limit(limit).offset(offset))
    return [_review(r) for r in rows], int(total)


def _query() -> Select[AttendanceReviews, str]:
    return with_owner_name(AttendanceReviews)


def _review(row: Any) -> AttendanceReview:
    r: AttendanceReviews = row[0]
    return AttendanceReview(
        review_id=r.ReviewID,
        person=owner_ref(r.StudentID, r.TeacherID),
        name=row.person_name,
        session=row_session(r),
        similarity=r.Similarity,
        bbox=BoundingBox(*r.BBox),
        source=AttendanceSource(r.Source),
        status=ReviewStatus(r.Status),
        created_at=r.CreatedAt,
        resolved_at=r.ResolvedAt,
        resolved_by=r.ResolvedBy,
    )
