"""store/attendance.py and store/reviews.py on their own, on SQLite and MariaDB: one record per person,
date and session under concurrency, overwriting a record, the order of the records, one review per
candidate, date and session."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from facerec.config import Settings
from facerec.domain import (
    AttendanceRecord,
    AttendanceSession,
    AttendanceSource,
    AttendanceStatus,
    BoundingBox,
    PersonRef,
    PersonType,
    ReviewStatus,
)
from facerec.errors import ReviewNotFound
from facerec.store import attendance as records
from facerec.store import people, reviews
from facerec.store.attendance import RecordFilters, RecordValues
from facerec.store.db import Database
from facerec.store.tables import AttendanceRecords, AttendanceReviews
from tests.conftest import start_contender

DAY = date(2026, 11, 26)
PRESENT = AttendanceStatus.PRESENT
ABSENT = AttendanceStatus.ABSENT
PHOTO = AttendanceSource.PHOTO
ANNA = PersonRef(PersonType.STUDENT, "S-anna")
BEN = PersonRef(PersonType.STUDENT, "S-ben")
TOM = PersonRef(PersonType.TEACHER, "T-tom")
BOX = BoundingBox(10.0, 20.0, 110.0, 140.0)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    with database.session() as session:
        for ref, name in [(ANNA, "Anna"), (BEN, "Ben"), (TOM, "Tom")]:
            people.create_person(session, ref=ref, name=name, class_name="5A", active=True)
    try:
        yield database
    finally:
        database.dispose()


def session_of(on: date = DAY, session_id: str = "") -> AttendanceSession:
    return AttendanceSession(date=on, session_id=session_id, class_name="5A")


def mark(
    session: Session, ref: PersonRef, attendance: AttendanceSession | None = None, **fields: Any
) -> tuple[AttendanceRecord, bool]:
    """add_record_if_absent for ``DAY``: present from a photo, unless ``fields`` say otherwise."""
    values = replace(
        RecordValues(PRESENT, confidence=None, source=PHOTO, recorded_by=None), **fields
    )
    return records.add_record_if_absent(
        session, ref=ref, attendance=attendance or session_of(), values=values
    )


def record_count(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(AttendanceRecords)) or 0)


def test_two_transactions_marking_the_same_person_both_succeed_with_one_row(
    database: Database,
) -> None:
    results: list[tuple[int, bool]] = []

    def second() -> None:
        with database.session() as session:
            record, created = mark(session, ANNA, confidence=0.5)
            results.append((record.record_id, created))

    with database.session() as first:
        record, created = mark(first, ANNA, confidence=0.9)  # inserted, not yet committed
        assert created
        finish = start_contender(second)
    assert finish() == []
    # Both calls answer with the one row, and only the first says it created it; its values stand.
    assert results == [(record.record_id, False)]
    assert record_count(database) == 1
    with database.session() as session:
        stored = records.get_record(session, ref=ANNA, attendance=session_of())
    assert stored is not None and stored.confidence == pytest.approx(0.9)


def test_add_record_if_absent_never_changes_an_existing_record(database: Database) -> None:
    with database.session() as session:
        first, created = mark(
            session, ANNA, status=ABSENT, source=AttendanceSource.MANUAL, recorded_by="teacher"
        )
        assert created
    with database.session() as session:
        again, created = mark(session, ANNA, confidence=0.8)
    assert not created and again == first
    assert (again.status, again.source, again.recorded_by) == (
        ABSENT,
        AttendanceSource.MANUAL,
        "teacher",
    )


def test_set_record_returns_the_status_it_had_before(database: Database) -> None:
    def set_to(status: AttendanceStatus, by: str):  # type: ignore[no-untyped-def]
        with database.session() as session:
            values = RecordValues(status, None, AttendanceSource.MANUAL, recorded_by=by)
            return records.set_record(session, ref=BEN, attendance=session_of(), values=values)

    created, old = set_to(ABSENT, "anne")
    assert old is None and created.status is ABSENT and created.updated_at is None
    changed, old = set_to(PRESENT, "bert")
    assert old is ABSENT
    assert changed.record_id == created.record_id
    assert (changed.status, changed.recorded_by) == (PRESENT, "bert")
    assert changed.updated_at is not None
    _, old = set_to(PRESENT, "bert")
    assert old is PRESENT
    assert record_count(database) == 1


def test_records_are_ordered_by_date_session_and_person_and_filtered(database: Database) -> None:
    marks = [
        (BEN, date(2026, 11, 27), ""),
        (TOM, DAY, "p2"),
        (ANNA, DAY, "p2"),
        (BEN, DAY, ""),
        (ANNA, date(2026, 11, 25), "p1"),
        (ANNA, DAY, ""),
    ]
    with database.session() as session:
        for ref, on, session_id in marks:
            mark(
                session,
                ref,
                attendance=session_of(on, session_id),
                status=ABSENT if ref == BEN else PRESENT,
            )
    with database.session() as session:
        streamed = list(records.iter_records(session, filters=RecordFilters(), batch_size=2))
        page, total = records.query_records(session, filters=RecordFilters(), limit=3, offset=2)
        in_range = list(
            records.iter_records(session, filters=RecordFilters(date_from=DAY, date_to=DAY))
        )
        teachers = list(
            records.iter_records(session, filters=RecordFilters(person_type=PersonType.TEACHER))
        )
        absent = list(records.iter_records(session, filters=RecordFilters(status=ABSENT)))
    keys = [(r.session.date, r.session.session_id, r.person) for r in streamed]
    assert keys == [
        (date(2026, 11, 25), "p1", ANNA),
        (DAY, "", ANNA),
        (DAY, "", BEN),
        (DAY, "p2", ANNA),
        (DAY, "p2", TOM),
        (date(2026, 11, 27), "", BEN),
    ]
    assert [r.name for r in streamed] == ["Anna", "Anna", "Ben", "Anna", "Tom", "Ben"]
    assert total == 6 and page == streamed[2:5]
    assert [r.record_id for r in in_range] == [r.record_id for r in streamed[1:5]]
    assert [r.person for r in teachers] == [TOM]
    assert [r.person for r in absent] == [BEN, BEN]


def test_one_review_per_candidate_date_and_session(database: Database) -> None:
    def review(ref: PersonRef, attendance: AttendanceSession, similarity: float):  # type: ignore[no-untyped-def]
        with database.session() as session:
            return reviews.add_review_if_absent(
                session,
                ref=ref,
                attendance=attendance,
                similarity=similarity,
                bbox=BOX,
                source=PHOTO,
            )

    first = review(ANNA, session_of(), 0.27)
    assert (first.person, first.name, first.status, first.bbox) == (
        ANNA,
        "Anna",
        ReviewStatus.PENDING,
        BOX,
    )
    again = review(ANNA, session_of(), 0.26)  # the photo sent again
    assert again == first
    with database.session() as session:
        resolved = reviews.resolve_review(
            session, review_id=first.review_id, status=ReviewStatus.REJECTED, resolved_by="anne"
        )
    assert resolved.status is ReviewStatus.REJECTED and resolved.resolved_by == "anne"
    after = review(ANNA, session_of(), 0.27)  # a resolved review is not reopened
    assert after.review_id == first.review_id and after.status is ReviewStatus.REJECTED

    others = [
        review(ANNA, session_of(session_id="p1"), 0.27),
        review(ANNA, session_of(date(2026, 11, 27)), 0.27),
        review(BEN, session_of(), 0.27),
    ]
    assert len({r.review_id for r in [first, *others]}) == 4
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AttendanceReviews)) == 4
        pending, total = reviews.query_reviews(
            session,
            filters=reviews.ReviewFilters(status=ReviewStatus.PENDING),
            limit=10,
            offset=0,
        )
        with pytest.raises(ReviewNotFound):
            reviews.get_review(session, review_id=first.review_id + 1000)
    assert total == 3 and [r.review_id for r in pending] == [r.review_id for r in others]


def test_two_transactions_queueing_the_same_review_both_succeed_with_one_row(
    database: Database,
) -> None:
    """As in an attendance photo, the second transaction has read before it adds the review."""
    found: list[int] = []
    errors: list[BaseException] = []

    def add(session: Session) -> int:
        return reviews.add_review_if_absent(
            session, ref=ANNA, attendance=session_of(), similarity=0.27, bbox=BOX, source=PHOTO
        ).review_id

    with database.session() as first:
        found.append(add(first))  # inserted, not yet committed

        def second() -> None:
            try:
                with database.session() as session:
                    people.get_person(session, ref=ANNA)
                    found.append(add(session))
            except BaseException as exc:
                errors.append(exc)

        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second transaction now waits on the first one's lock
    other.join(timeout=30)
    assert not other.is_alive()
    assert errors == []
    assert len(found) == 2 and found[0] == found[1]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AttendanceReviews)) == 1
