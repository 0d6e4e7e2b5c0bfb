"""Attendance queries and reports: records by date range, class, session and person; the absentees
of a session; a person's history; the review queue and the audit trail.

Needs the database only (no models), so ``facerec report`` does not load them. Imports the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facerec.domain import (
    AttendanceChange,
    AttendanceRecord,
    AttendanceReview,
    AttendanceSession,
    AttendanceSource,
    AttendanceStatus,
    Page,
    Paging,
    Person,
    PersonRef,
)
from facerec.errors import InvalidInput
from facerec.service.faces import person_filter
from facerec.service.paging import paged
from facerec.store import attendance as records
from facerec.store import people, reviews
from facerec.store.attendance import RecordFilters
from facerec.store.db import Database
from facerec.store.reviews import ReviewFilters

__all__ = ["RecordFilters", "ReviewFilters"]


def record_filters(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    class_name: str | None = None,
    session_id: str | None = None,
    person_type: str | None = None,
    person_id: str | None = None,
    status: AttendanceStatus | None = None,
    source: AttendanceSource | None = None,
) -> RecordFilters:
    """Validated filters from a request's values."""
    check_range(date_from, date_to)
    chosen = person_filter(person_type, person_id)
    return RecordFilters(
        date_from=date_from,
        date_to=date_to,
        class_name=class_name,
        session_id=session_id,
        person=chosen.person,
        person_type=chosen.person_type,
        status=status,
        source=source,
    )


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInput("from must not be after to")


def list_records(
    database: Database, *, filters: RecordFilters, paging: Paging
) -> Page[AttendanceRecord]:
    check_range(filters.date_from, filters.date_to)
    return paged(database, paging, records.query_records, filters=filters)


def export_records(database: Database, *, filters: RecordFilters) -> list[AttendanceRecord]:
    """Every matching record, one per row of the export."""
    check_range(filters.date_from, filters.date_to)
    with database.session() as session:
        return list(records.iter_records(session, filters=filters))


@dataclass(frozen=True)
class Absentee:
    person: Person
    status: AttendanceStatus | None  # absent when marked so by hand; None when not marked at all


def absentees(database: Database, *, attendance: AttendanceSession) -> list[Absentee]:
    """The active students of the session's class who are not marked present for it."""
    if attendance.class_name is None:
        raise InvalidInput("class_name is needed to know who should have been there")
    with database.session() as session:
        marked = records.marked_people(session, attendance=attendance)
        members = people.class_members(session, class_name=attendance.class_name)
    return [
        Absentee(person=member, status=marked.get(member.ref))
        for member in members
        if marked.get(member.ref) is not AttendanceStatus.PRESENT
    ]


@dataclass(frozen=True)
class History:
    person: Person
    records: list[AttendanceRecord]
    present: int
    absent: int


def history(
    database: Database, *, ref: PersonRef, date_from: date | None, date_to: date | None
) -> History:
    """A person's attendance records in a date range (all of them when no range is given)."""
    check_range(date_from, date_to)
    filters = RecordFilters(date_from=date_from, date_to=date_to, person=ref)
    with database.session() as session:
        person = people.get_person(session, ref=ref)
        found = list(records.iter_records(session, filters=filters))
    return History(
        person=person,
        records=found,
        present=sum(r.status is AttendanceStatus.PRESENT for r in found),
        absent=sum(r.status is AttendanceStatus.ABSENT for r in found),
    )


def list_reviews(
    database: Database, *, filters: ReviewFilters, paging: Paging
) -> Page[AttendanceReview]:
    check_range(filters.date_from, filters.date_to)
    return paged(database, paging, reviews.query_reviews, filters=filters)


def list_changes(
    database: Database, *, filters: RecordFilters, paging: Paging
) -> Page[AttendanceChange]:
    check_range(filters.date_from, filters.date_to)
    return paged(database, paging, records.query_changes, filters=filters)
