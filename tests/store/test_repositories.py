"""Repositories under concurrency, on SQLite and MariaDB."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from facerec.config import Settings
from facerec.domain import PersonRef, PersonType
from facerec.store import people
from facerec.store.db import Database
from facerec.store.tables import Student


def test_two_transactions_creating_the_same_person_both_succeed(settings: Settings) -> None:
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    ref = PersonRef(PersonType.STUDENT, "S-race")
    errors: list[BaseException] = []
    try:
        with database.session() as first:
            people.ensure_person(first, ref=ref, name="First")  # inserted, not yet committed

            def second() -> None:
                try:
                    with database.session() as session:
                        people.ensure_person(session, ref=ref, name=None)
                except BaseException as exc:
                    errors.append(exc)

            other = threading.Thread(target=second)
            other.start()
            time.sleep(0.5)  # the second transaction now waits on the first one's lock
        other.join(timeout=30)
        assert errors == []
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Student)) == 1
            assert session.scalar(select(Student.Name)) == "First"
    finally:
        database.dispose()
