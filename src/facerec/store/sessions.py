"""The date and session that every attendance row carries (``tables.PersonSession``): the domain's
``AttendanceSession`` of a row, and the filters on date range and session that the records, reviews
and changes share.
Imports SQLAlchemy, the tables and the domain types only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement

from facerec.domain import AttendanceSession


def row_session(row: Any) -> AttendanceSession:
    """The session of a row that has a ClassName column (records and reviews)."""
    return AttendanceSession(
        date=row.AttendanceDate, session_id=row.SessionID, class_name=row.ClassName
    )


class SessionFilter(Protocol):
    @property
    def date_from(self) -> date | None: ...
    @property
    def date_to(self) -> date | None: ...  # inclusive
    @property
    def session_id(self) -> str | None: ...


def session_conditions(table: Any, filters: SessionFilter) -> list[ColumnElement[bool]]:
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
