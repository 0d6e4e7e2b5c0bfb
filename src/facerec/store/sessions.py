"""The date and session that every attendance row carries (``tables.PersonSession``): the domain's
``AttendanceSession`` of a row, the unique key of one person's row in a session, and the filters on
date range, session and class that the records, reviews and changes share.
Imports SQLAlchemy, store.owners and the domain types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement

from facerec.domain import AttendanceSession, PersonRef
from facerec.store.owners import person_key


def row_session(row: Any) -> AttendanceSession:
    """The session of a row that has a ClassName column (records and reviews)."""
    return AttendanceSession(
        date=row.AttendanceDate, session_id=row.SessionID, class_name=row.ClassName
    )


@dataclass(frozen=True)
class SessionFilters:
    """The filters that every attendance table takes; ``None`` leaves one out. Changes have no
    class of their own, so ``class_name`` applies to records and reviews only."""

    date_from: date | None = None
    date_to: date | None = None  # inclusive
    session_id: str | None = None
    class_name: str | None = None


def session_conditions(table: Any, filters: SessionFilters) -> list[ColumnElement[bool]]:
    """The WHERE conditions on date range and session for the filters that are set (``None``
    leaves one out)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from is not None:
        conditions.append(table.AttendanceDate >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(table.AttendanceDate <= filters.date_to)
    if filters.session_id is not None:
        conditions.append(table.SessionID == filters.session_id)
    return conditions


def one_person_session(
    table: Any, ref: PersonRef, attendance: AttendanceSession
) -> list[ColumnElement[bool]]:
    """The WHERE conditions for the person's row in the session: the tables' unique key."""
    return [
        table.PersonKey == person_key(ref),
        table.AttendanceDate == attendance.date,
        table.SessionID == attendance.session_id,
    ]
