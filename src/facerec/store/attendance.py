"""AttendanceRecords and AttendanceChanges: one record per person, date and session; every change
made by a person is kept in the audit trail.

Keyword-only arguments; the caller owns the session and its transaction. Imports SQLAlchemy, the
tables and the domain types only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from facerec.domain import (
    AttendanceChange,
    AttendanceRecord,
    AttendanceSession,
    AttendanceSource,
    AttendanceStatus,
    ChangeAction,
    PersonRef,
    PersonType,
)
from facerec.store.clock import utcnow
from facerec.store.dialect import insert_if_absent
from facerec.store.owners import (
    owner_column,
    owner_ref,
    owner_values,
    person_key,
    with_owner_name,
)
from facerec.store.sessions import (
    SessionFilters,
    one_person_session,
    row_session,
    session_conditions,
)
from facerec.store.tables import AttendanceChanges, AttendanceRecords

RecordsQuery = Select[AttendanceRecords, str]  # a record and its person's name


@dataclass(frozen=True)
class RecordFilters(SessionFilters):
    person: PersonRef | None = None
    person_type: PersonType | None = None
    status: AttendanceStatus | None = None
    source: AttendanceSource | None = None


@dataclass(frozen=True)
class RecordValues:
    """What a record says of the person: the status, how it was set, and by whom."""

    status: AttendanceStatus
    confidence: float | None  # the similarity that marked it; None when set by hand
    source: AttendanceSource
    recorded_by: str | None

    def columns(self) -> dict[str, object]:
        return {
            "Status": self.status.value,
            "Confidence": self.confidence,
            "Source": self.source.value,
            "RecordedBy": self.recorded_by,
        }


def get_record(
    session: Session, *, ref: PersonRef, attendance: AttendanceSession
) -> AttendanceRecord | None:
    row = session.execute(_one_record_query(ref, attendance)).one_or_none()
    return _record(row) if row is not None else None


def add_record_if_absent(
    session: Session, *, ref: PersonRef, attendance: AttendanceSession, values: RecordValues
) -> tuple[AttendanceRecord, bool]:
    """The person's record for the session, created with these values when there is none; and
    whether this call created it. Race-free thanks to the unique key: marking twice adds nothing."""
    existing = get_record(session, ref=ref, attendance=attendance)
    if existing is not None:
        return existing, False
    created = insert_if_absent(
        session,
        AttendanceRecords,
        {
            "PersonKey": person_key(ref),
            **owner_values(ref),
            "AttendanceDate": attendance.date,
            "SessionID": attendance.session_id,
            "ClassName": attendance.class_name,
            "RecordedAt": utcnow(),
            **values.columns(),
        },
    )
    # The row, inserted now or by a concurrent request. A locking read: on MariaDB/MySQL (REPEATABLE
    # READ) a plain SELECT answers from the snapshot of the read above and misses the row that a
    # concurrent request committed meanwhile.
    row = session.execute(_one_record_query(ref, attendance).with_for_update(read=True)).one()
    return _record(row), created


def confirmed_record(session: Session, *, review_id: int) -> AttendanceRecord | None:
    """The record that confirming the review set, found through the audit trail: the review names
    its candidate, not the person it was confirmed as."""
    row = session.execute(
        _records_query()
        .join(AttendanceChanges, AttendanceChanges.RecordID == AttendanceRecords.RecordID)
        .where(AttendanceChanges.ReviewID == review_id)
        .where(AttendanceChanges.Action == ChangeAction.CONFIRM)
        .order_by(AttendanceChanges.ChangeID)
        .limit(1)
    ).one_or_none()
    return _record(row) if row is not None else None


def set_record(
    session: Session, *, ref: PersonRef, attendance: AttendanceSession, values: RecordValues
) -> tuple[AttendanceRecord, AttendanceStatus | None]:
    """Create or overwrite the person's record for the session; returns it and the status it had
    before (None when there was no record). The update runs even when this call inserted the row,
    so that a concurrent photo's insert between our read and ours cannot swallow this mark."""
    before = get_record(session, ref=ref, attendance=attendance)
    if before is None:
        add_record_if_absent(session, ref=ref, attendance=attendance, values=values)
    columns = values.columns()
    if attendance.class_name is not None:
        columns["ClassName"] = attendance.class_name
    if before is not None:
        columns["UpdatedAt"] = utcnow()
    session.execute(
        update(AttendanceRecords)
        .where(*one_person_session(AttendanceRecords, ref, attendance))
        .values(**columns)
    )
    updated = get_record(session, ref=ref, attendance=attendance)
    assert updated is not None  # our own write is visible to us
    return updated, before.status if before is not None else None


def query_records(
    session: Session, *, filters: RecordFilters, limit: int, offset: int
) -> tuple[list[AttendanceRecord], int]:
    """Records by date, session, then person id; and the total."""
    query = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(_ordered(query).limit(limit).offset(offset))
    return [_record(r) for r in rows], int(total)


def iter_records(
    session: Session, *, filters: RecordFilters, batch_size: int = 1000
) -> Iterator[AttendanceRecord]:
    """Every record that matches, in the order of ``query_records``, streamed."""
    query = _ordered(_filtered(filters)).execution_options(yield_per=batch_size)
    for row in session.execute(query):
        yield _record(row)


def marked_people(
    session: Session, *, attendance: AttendanceSession
) -> dict[PersonRef, AttendanceStatus]:
    """Everyone with a record for this date and session, and their status."""
    rows = session.execute(
        select(AttendanceRecords.StudentID, AttendanceRecords.TeacherID, AttendanceRecords.Status)
        .where(AttendanceRecords.AttendanceDate == attendance.date)
        .where(AttendanceRecords.SessionID == attendance.session_id)
    )
    return {owner_ref(s, t): AttendanceStatus(status) for s, t, status in rows}


# Changes ----------------------------------------------------------------------------------------------


def add_change(
    session: Session,
    *,
    ref: PersonRef,
    attendance: AttendanceSession,
    action: ChangeAction,
    old_status: AttendanceStatus | None,
    new_status: AttendanceStatus | None,
    record_id: int | None,
    review_id: int | None,
    changed_by: str,
    note: str | None,
    client: str | None,
) -> None:
    session.add(
        AttendanceChanges(
            PersonKey=person_key(ref),
            **owner_values(ref),
            AttendanceDate=attendance.date,
            SessionID=attendance.session_id,
            Action=action,
            OldStatus=old_status.value if old_status else None,
            NewStatus=new_status.value if new_status else None,
            RecordID=record_id,
            ReviewID=review_id,
            ChangedBy=changed_by,
            Note=note,
            Client=(client or "")[:64] or None,
            ChangedAt=utcnow(),
        )
    )


def query_changes(
    session: Session, *, filters: RecordFilters, limit: int, offset: int
) -> tuple[list[AttendanceChange], int]:
    """The audit trail (newest first): the date range, session and person filters apply (changes
    have no class, status or source of their own)."""
    query = select(AttendanceChanges).where(*session_conditions(AttendanceChanges, filters))
    if filters.person is not None:
        query = query.where(AttendanceChanges.PersonKey == person_key(filters.person))
    elif filters.person_type is not None:
        query = query.where(AttendanceChanges.PersonKey.startswith(f"{filters.person_type.value}:"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AttendanceChanges.ChangeID.desc()).limit(limit).offset(offset)
    )
    return [_change(r) for r in rows], int(total)


# Helpers ----------------------------------------------------------------------------------------------


def _records_query() -> RecordsQuery:
    return with_owner_name(AttendanceRecords)


def _one_record_query(ref: PersonRef, attendance: AttendanceSession) -> RecordsQuery:
    return _records_query().where(*one_person_session(AttendanceRecords, ref, attendance))


def _filtered(filters: RecordFilters) -> RecordsQuery:
    table = AttendanceRecords
    query = _records_query().where(*session_conditions(table, filters))
    if filters.class_name is not None:
        query = query.where(table.ClassName == filters.class_name)
    if filters.person is not None:
        query = query.where(table.PersonKey == person_key(filters.person))
    elif filters.person_type is not None:
        query = query.where(owner_column(table, filters.person_type).is_not(None))
    if filters.status is not None:
        query = query.where(table.Status == filters.status.value)
    if filters.source is not None:
        query = query.where(table.Source == filters.source.value)
    return query


def _ordered(query: RecordsQuery) -> RecordsQuery:
    table = AttendanceRecords
    return query.order_by(table.AttendanceDate, table.SessionID, table.PersonKey)


def _record(row: Any) -> AttendanceRecord:
    r: AttendanceRecords = row[0]
    return AttendanceRecord(
        record_id=r.RecordID,
        person=owner_ref(r.StudentID, r.TeacherID),
        name=row.person_name,
        session=row_session(r),
        status=AttendanceStatus(r.Status),
        confidence=r.Confidence,
        source=AttendanceSource(r.Source),
        recorded_at=r.RecordedAt,
        recorded_by=r.RecordedBy,
        updated_at=r.UpdatedAt,
    )


def _change(r: AttendanceChanges) -> AttendanceChange:
    return AttendanceChange(
        change_id=r.ChangeID,
        person=owner_ref(r.StudentID, r.TeacherID),
        session=AttendanceSession(date=r.AttendanceDate, session_id=r.SessionID, class_name=None),
        action=ChangeAction(r.Action),
        old_status=AttendanceStatus(r.OldStatus) if r.OldStatus else None,
        new_status=AttendanceStatus(r.NewStatus) if r.NewStatus else None,
        record_id=r.RecordID,
        review_id=r.ReviewID,
        changed_by=r.ChangedBy,
        note=r.Note,
        client=r.Client,
        changed_at=r.ChangedAt,
    )
