"""FaceRecognitionLogs: one row per recognition attempt (result and score; never an embedding or an
image): written, queried page by page, and pruned in bounded chunks. Keyword-only arguments; the
caller owns the session and its transaction.
Imports SQLAlchemy, the tables and the domain types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from facerec.domain import LogOperation, LogRecord, LogResult, PersonRef, PersonType
from facerec.store.clock import utcnow
from facerec.store.tables import FaceRecognitionLogs, core_table


@dataclass(frozen=True)
class LogEntry:
    operation: LogOperation
    result: LogResult
    similarity: float | None = None
    threshold: float | None = None
    person: PersonRef | None = None
    face_id: int | None = None
    model_pack: str | None = None
    client: str | None = None


def add_logs(session: Session, *, entries: list[LogEntry]) -> None:
    if not entries:
        return
    now = utcnow()
    # A Core INSERT of the table (executemany for several rows), not ORM objects: they are never
    # read back, and the unit of work's flush costs more than the statement itself.
    session.execute(insert(core_table(FaceRecognitionLogs)), [log_row(e, now) for e in entries])


def log_row(entry: LogEntry, created_at: datetime) -> dict[str, object]:
    """A FaceRecognitionLogs row's values, by column (the client's address cut to 64 characters)."""
    person = entry.person
    return {
        "Operation": entry.operation,
        "Result": entry.result,
        "Similarity": entry.similarity,
        "Threshold": entry.threshold,
        "PersonType": person.person_type.value if person else None,
        "PersonID": person.person_id if person else None,
        "FaceID": entry.face_id,
        "ModelPack": entry.model_pack,
        "Client": (entry.client or "")[:64] or None,
        "CreatedAt": created_at,
    }


def delete_for_person(session: Session, *, ref: PersonRef) -> int:
    """Erase every log row that names the person; returns how many."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(FaceRecognitionLogs)
        .where(FaceRecognitionLogs.PersonType == ref.person_type.value)
        .where(FaceRecognitionLogs.PersonID == ref.person_id)
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class LogFilters:
    """What ``query_logs`` selects; ``None`` leaves a field unfiltered. Times are naive UTC, ``since``
    inclusive and ``until`` exclusive, so that consecutive windows neither overlap nor leave gaps. A
    similarity bound leaves out rows without a similarity (failed attempts)."""

    operation: LogOperation | None = None
    result: LogResult | None = None
    person_type: PersonType | None = None
    person_id: str | None = None
    client: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_similarity: float | None = None
    max_similarity: float | None = None


def query_logs(
    session: Session, *, filters: LogFilters, limit: int, offset: int
) -> tuple[list[LogRecord], int]:
    """One page of the rows that pass ``filters``, newest first (ties by LogID, so that pages are
    stable), and how many pass in all."""
    table = FaceRecognitionLogs
    conditions = [
        column == value
        for column, value in (
            (table.Operation, filters.operation),
            (table.Result, filters.result),
            (table.PersonType, filters.person_type.value if filters.person_type else None),
            (table.PersonID, filters.person_id),
            (table.Client, filters.client),
        )
        if value is not None
    ]
    if filters.since is not None:
        conditions.append(table.CreatedAt >= filters.since)
    if filters.until is not None:
        conditions.append(table.CreatedAt < filters.until)
    if filters.min_similarity is not None:
        conditions.append(table.Similarity >= filters.min_similarity)
    if filters.max_similarity is not None:
        conditions.append(table.Similarity <= filters.max_similarity)
    total = session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0
    rows = session.scalars(
        select(table)
        .where(*conditions)
        .order_by(table.CreatedAt.desc(), table.LogID.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_log_record(row) for row in rows], int(total)


def delete_older_than(session: Session, *, cutoff: datetime, limit: int) -> int:
    """Delete at most ``limit`` of the oldest rows created before ``cutoff``; returns how many.

    One bounded statement, so that the caller can commit between chunks and never hold a long
    transaction over a big table. The chunk ends at the ``limit``-th oldest row, (CreatedAt, LogID)
    order, which the CreatedAt index gives cheaply on SQLite and InnoDB alike; deleting up to that
    boundary needs neither ``DELETE ... ORDER BY ... LIMIT`` nor a ``LIMIT`` inside ``IN (...)``,
    which MariaDB refuses.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    table = FaceRecognitionLogs
    boundary = session.execute(
        select(table.CreatedAt, table.LogID)
        .where(table.CreatedAt < cutoff)
        .order_by(table.CreatedAt, table.LogID)
        .offset(limit - 1)
        .limit(1)
    ).one_or_none()
    statement = delete(table).where(table.CreatedAt < cutoff)
    if boundary is not None:  # at least ``limit`` rows are due: stop at the boundary row
        created_at, log_id = boundary
        statement = statement.where(table.CreatedAt <= created_at).where(
            or_(table.CreatedAt < created_at, table.LogID <= log_id)
        )
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount or 0)


def _log_record(row: FaceRecognitionLogs) -> LogRecord:
    person = (
        PersonRef(PersonType(row.PersonType), row.PersonID)
        if row.PersonType is not None and row.PersonID is not None
        else None
    )
    return LogRecord(
        log_id=row.LogID,
        operation=LogOperation(row.Operation),
        result=LogResult(row.Result),
        similarity=row.Similarity,
        threshold=row.Threshold,
        person=person,
        face_id=row.FaceID,
        model_pack=row.ModelPack,
        client=row.Client,
        created_at=row.CreatedAt,
    )
