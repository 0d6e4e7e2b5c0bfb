"""What SQLite and MySQL/MariaDB spell differently, in one place. Imports SQLAlchemy only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: type[Any], values: dict[str, object]) -> Executable:
    """An INSERT that does nothing when it would break the primary key or a unique key. Race-free:
    two transactions inserting the same key both succeed, with one row. The first of ``values`` must
    be a column (MySQL needs one to set to its own stored value)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite_insert(table).values(values).on_conflict_do_nothing()
    if dialect in ("mysql", "mariadb"):
        # A no-op update (the column set to its stored value): nothing changes when the row exists.
        key = next(iter(values))
        return (
            mysql_insert(table).values(values).on_duplicate_key_update({key: getattr(table, key)})
        )
    raise NotImplementedError(f"database dialect {dialect} is not supported")
