"""Corrections of attendance by a person: confirm or reject a face that needed review, mark someone
present or absent by hand. Each change is written to AttendanceChanges with who made it.

Needs the database only (no models), so the CLI and the API share it. Imports the store layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from facerec.domain import (
    AttendanceRecord,
    AttendanceReview,
    AttendanceSession,
    AttendanceSource,
    AttendanceStatus,
    ChangeAction,
    PersonRef,
    ReviewStatus,
)
from facerec.errors import InvalidInput, ReviewResolved
from facerec.service.faces import person_ref
from facerec.store import attendance as records
from facerec.store import people, reviews
from facerec.store.attendance import RecordValues
from facerec.store.db import Database

ACTOR_MAX_CHARS = 64
NOTE_MAX_CHARS = 255


@dataclass(frozen=True)
class Actor:
    """Who makes a change (a teacher's id or name, as the client says) and from where."""

    by: str
    client: str | None
    note: str | None = None


def actor(by: str | None, *, client: str | None, note: str | None = None) -> Actor:
    name = (by or "").strip()
    if not name or len(name) > ACTOR_MAX_CHARS:
        raise InvalidInput(f"by (who makes the change) must be 1 to {ACTOR_MAX_CHARS} characters")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX_CHARS:
        raise InvalidInput(f"note is longer than {NOTE_MAX_CHARS} characters")
    return Actor(by=name, client=client, note=note)


def confirm_as(person_type: str | None, person_id: str | None) -> PersonRef | None:
    """The person a review is confirmed as when it is not the candidate: both values, or neither."""
    if person_type is None and person_id is None:
        return None
    if person_type is None or person_id is None:
        raise InvalidInput("give both person_type and person_id, or neither")
    return person_ref(person_type, person_id)


@dataclass(frozen=True)
class Confirmation:
    review: AttendanceReview
    record: AttendanceRecord


def confirm_review(
    database: Database, *, review_id: int, who: Actor, person: PersonRef | None = None
) -> Confirmation:
    """Mark the reviewed face's person present (or ``person``, when the face is someone else).
    Confirming again is a no-op; confirming a rejected review is refused."""
    with database.session() as session:
        review = reviews.get_review(session, review_id=review_id)
        if review.status is ReviewStatus.REJECTED:
            raise ReviewResolved(f"review {review_id} was rejected by {review.resolved_by}")
        if review.status is ReviewStatus.CONFIRMED:
            # The face was given to one person already (the candidate or whoever the first
            # confirmation named): confirming again marks nobody else.
            done = records.confirmed_record(session, review_id=review_id)
            if done is not None:
                return Confirmation(review=review, record=done)
        target = person or review.person
        found = people.get_person(session, ref=target)
        attendance = AttendanceSession(
            review.session.date,
            review.session.session_id,
            review.session.class_name or found.class_name,
        )
        if review.status is ReviewStatus.CONFIRMED:
            record = records.get_record(session, ref=target, attendance=attendance)
            if record is not None:
                return Confirmation(review=review, record=record)
        values = RecordValues(
            status=AttendanceStatus.PRESENT,
            confidence=review.similarity if target == review.person else None,
            source=review.source,
            recorded_by=who.by,
        )
        record, old = records.set_record(session, ref=target, attendance=attendance, values=values)
        review = reviews.resolve_review(
            session, review_id=review_id, status=ReviewStatus.CONFIRMED, resolved_by=who.by
        )
        _audit(
            session,
            who,
            ChangeAction.CONFIRM,
            target,
            attendance,
            old=old,
            record=record,
            review_id=review_id,
        )
    return Confirmation(review=review, record=record)


def reject_review(database: Database, *, review_id: int, who: Actor) -> AttendanceReview:
    """The face is not that person: nobody is marked. Rejecting again is a no-op; rejecting a
    confirmed review is refused (mark the person absent instead)."""
    with database.session() as session:
        review = reviews.get_review(session, review_id=review_id)
        if review.status is ReviewStatus.REJECTED:
            return review
        if review.status is ReviewStatus.CONFIRMED:
            raise ReviewResolved(
                f"review {review_id} was confirmed by {review.resolved_by}; mark the person "
                "absent to undo it"
            )
        review = reviews.resolve_review(
            session, review_id=review_id, status=ReviewStatus.REJECTED, resolved_by=who.by
        )
        _audit(
            session, who, ChangeAction.REJECT, review.person, review.session, review_id=review_id
        )
    return review


def mark(
    database: Database,
    *,
    ref: PersonRef,
    attendance: AttendanceSession,
    status: AttendanceStatus,
    who: Actor,
) -> AttendanceRecord:
    """Set the person's record for the session by hand; a photo will not override it."""
    with database.session() as session:
        person = people.get_person(session, ref=ref)
        noted = AttendanceSession(
            attendance.date, attendance.session_id, attendance.class_name or person.class_name
        )
        values = RecordValues(
            status=status, confidence=None, source=AttendanceSource.MANUAL, recorded_by=who.by
        )
        record, old = records.set_record(session, ref=ref, attendance=noted, values=values)
        _audit(
            session, who, ChangeAction(f"mark_{status.value}"), ref, noted, old=old, record=record
        )
    return record


def _audit(
    session: Session,
    who: Actor,
    action: ChangeAction,
    ref: PersonRef,
    attendance: AttendanceSession,
    *,
    old: AttendanceStatus | None = None,
    record: AttendanceRecord | None = None,
    review_id: int | None = None,
) -> None:
    """Write the change to the audit trail with who made it: the record it set (its id and new
    status), the status it had before, and the review it resolved, where there are."""
    records.add_change(
        session,
        ref=ref,
        attendance=attendance,
        action=action,
        old_status=old,
        new_status=record.status if record is not None else None,
        record_id=record.record_id if record is not None else None,
        review_id=review_id,
        changed_by=who.by,
        note=who.note,
        client=who.client,
    )
