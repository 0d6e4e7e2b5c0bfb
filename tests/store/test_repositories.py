"""Repositories under concurrency, on SQLite and MariaDB."""

from __future__ import annotations

from sqlalchemy import func, select

from facerec.config import Settings
from facerec.domain import PersonRef, PersonType
from facerec.store import people
from facerec.store.db import Database
from facerec.store.tables import Student
from tests.conftest import start_contender


def test_two_transactions_creating_the_same_person_both_succeed(settings: Settings) -> None:
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    ref = PersonRef(PersonType.STUDENT, "S-race")

    def second() -> None:
        with database.session() as session:
            people.ensure_person(session, ref=ref, name=None)

    try:
        with database.session() as first:
            people.ensure_person(first, ref=ref, name="First")  # inserted, not yet committed
            finish = start_contender(second)
        assert finish() == []
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Student)) == 1
            assert session.scalar(select(Student.Name)) == "First"
    finally:
        database.dispose()
