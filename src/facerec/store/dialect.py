"""What SQLite and MySQL/MariaDB spell differently, in one place. Imports SQLAlchemy only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: type[Any], values: dict[str, object]) -> bool:
    """INSERT ``values`` unless that would break the primary key or a unique key; returns whether
    this call inserted the row. Race-free: two transactions inserting the same key both succeed,
    with one row. The first of ``values`` must be a column (MySQL needs one to set to its own
    stored value)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite_insert(table).values(values).on_conflict_do_nothing()
        result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
        return result.rowcount == 1
    if dialect in ("mysql", "mariadb"):
        # A no-op update (the column set to its stored value): nothing changes when the row exists.
        # The row count says 1 either way (SQLAlchemy asks for found rows); the insert id is 0
        # unless a row was inserted.
        key = next(iter(values))
        statement = mysql_insert(table).values(values)
        statement = statement.on_duplicate_key_update({key: getattr(table, key)})
        result = session.execute(statement)  # type: ignore[assignment]
        return bool(result.lastrowid)
    raise NotImplementedError(f"database dialect {dialect} is not supported")
