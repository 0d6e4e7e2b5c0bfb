"""What SQLite and MySQL/MariaDB spell differently, in one place. Imports SQLAlchemy only."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: type[Any], values: dict[str, object]) -> bool:
    """INSERT ``values`` unless that would break the primary key or a unique key; returns whether
    this call inserted the row (on MySQL/MariaDB known only for a table with an AUTO_INCREMENT key:
    False otherwise, inserted or not). Race-free: two transactions inserting the same key both
    succeed, with one row. The first of ``values`` must be a column (MySQL needs one to set to its
    own stored value)."""
    dialect = session.get_bind().dialect.name
    statement = _insert_if_absent_statement(dialect, table.__table__, next(iter(values)))
    result: CursorResult[Any] = session.execute(statement, values)  # type: ignore[assignment]
    if dialect == "sqlite":
        return result.rowcount == 1
    # MySQL: the row count says 1 either way (SQLAlchemy asks for found rows); the insert id is 0
    # unless a row was inserted, and always without an AUTO_INCREMENT key.
    return bool(result.lastrowid)


@cache
def _insert_if_absent_statement(dialect: str, table: Table, key: str) -> Any:
    """Built once per table, the values bound at execution: building a statement costs more than
    running it (enrollment inserts its person every time)."""
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing()
    if dialect in ("mysql", "mariadb"):
        # A no-op update (the column set to its stored value): nothing changes when the row exists.
        return mysql_insert(table).on_duplicate_key_update({key: table.c[key]})
    raise NotImplementedError(f"database dialect {dialect} is not supported")
