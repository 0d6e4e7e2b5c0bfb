"""The database connection: engine, pool, sessions and schema upgrades, for SQLite and MySQL/MariaDB.

``Database`` is thread-safe: the SQLAlchemy engine and its pool are shared, and each unit of work opens
its own session with ``Database.session()``. Connection failures are translated into
``StorageUnavailable`` here. Imports SQLAlchemy and Alembic only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from facerec.errors import StorageUnavailable

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Database:
    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": orjson.loads}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            # A server may drop an idle connection: test each one as it leaves the pool (a file
            # cannot, so SQLite skips that statement).
            kwargs.update(
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_recycle=3600,
                pool_pre_ping=True,
            )
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.display_url = parsed.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except (OperationalError, InterfaceError) as exc:  # the server is down or the link broke
            session.rollback()
            raise StorageUnavailable(f"the database is unavailable: {exc.orig}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Create the schema, or upgrade an existing one, to the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except DBAPIError as exc:
            raise StorageUnavailable(
                f"cannot open or upgrade the database {self.display_url}: {exc.orig}"
            ) from exc

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def json_text(value: Any) -> str:
    """A JSON column's text, by orjson: an order of magnitude faster than the standard library's
    ``json.dumps`` on FaceDescriptor's 512 floats (bench/results/micro.md). The same numbers (the
    shortest text that reads back as the same double), without spaces and with exponents written
    ``e-7``, not ``e-07``."""
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits, an
    # application crash loses nothing. FULL costs an fsync per commit, so on every request that
    # writes a log row (bench/results/micro.md times a commit both ways).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite's own lower() knows ASCII only; Python's knows Unicode, as MySQL's collations do, so
    # that searching people for "élodie" finds "Élodie" on both.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text
