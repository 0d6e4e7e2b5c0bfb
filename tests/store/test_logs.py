"""Querying and pruning FaceRecognitionLogs, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from facerec.domain import LogResult, PersonType
from facerec.errors import FacerecError
from facerec.store import logs
from facerec.store.db import Database
from facerec.store.logs import LogFilters
from facerec.store.tables import FaceRecognitionLogs

T0 = datetime(2025, 3, 1, 8, 0, 0)  # naive UTC, whole seconds (MySQL DATETIME keeps no fraction)


def row(hour: int, operation: str, result: str, **values: Any) -> dict[str, Any]:
    return {
        "Operation": operation,
        "Result": result,
        "CreatedAt": T0 + timedelta(hours=hour),
        **values,
    }


def add_rows(database: Database, rows: list[dict[str, Any]]) -> None:
    """A bulk insert: thousands of rows in a few statements."""
    defaults = dict.fromkeys(
        ("Similarity", "Threshold", "PersonType", "PersonID", "FaceID", "ModelPack", "Client")
    )
    with database.session() as session:
        session.execute(insert(FaceRecognitionLogs), [{**defaults, **r} for r in rows])


def hours(database: Database, **filters: Any) -> list[int]:
    """The rows that pass, named by the hour they were logged at, in the order returned."""
    with database.session() as session:
        records, total = logs.query_logs(
            session, filters=LogFilters(**filters), limit=1000, offset=0
        )
    assert total == len(records)
    return [int((r.created_at - T0) / timedelta(hours=1)) for r in records]


def test_each_filter_selects_its_rows_newest_first(database: Database) -> None:
    student, teacher = "student", "teacher"
    add_rows(
        database,
        [
            row(1, "identify", "match", Similarity=0.625, PersonType=student, PersonID="S1"),
            row(2, "identify", "unknown", Similarity=0.125, Client="10.0.0.1"),
            row(3, "verify", "no_match", Similarity=0.25, Client="cli"),
            row(4, "enroll", "enrolled", PersonType=student, PersonID="S1", FaceID=7),
            row(5, "enroll", "no_face_found", PersonType=teacher, PersonID="T1"),
            row(6, "identify", "match", Similarity=0.875, PersonType=teacher, PersonID="S1"),
        ],
    )
    assert hours(database) == [6, 5, 4, 3, 2, 1]
    assert hours(database, operation="identify") == [6, 2, 1]
    assert hours(database, result="match") == [6, 1]
    assert hours(database, operation="enroll", result="enrolled") == [4]
    assert hours(database, person_type=PersonType.TEACHER) == [6, 5]
    assert hours(database, person_type=PersonType.STUDENT, person_id="S1") == [4, 1]
    assert hours(database, client="cli") == [3]
    # since inclusive, until exclusive: back-to-back windows share no row and miss none.
    assert hours(database, since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4)) == [3, 2]
    assert hours(database, since=T0 + timedelta(hours=4)) == [6, 5, 4]
    # Bounds are inclusive and leave out the attempts without a score. (The scores are exact in
    # float32: MySQL's FLOAT column keeps single precision.)
    assert hours(database, min_similarity=0.25) == [6, 3, 1]
    assert hours(database, max_similarity=0.25) == [3, 2]
    assert hours(database, min_similarity=0.5, max_similarity=0.7) == [1]
    assert hours(database, operation="attendance") == []

    with database.session() as session:
        [record], _ = logs.query_logs(
            session, filters=LogFilters(result="enrolled"), limit=10, offset=0
        )
    assert record.person is not None and record.person.person_type is PersonType.STUDENT
    assert (record.operation, record.person.person_id, record.face_id) == ("enroll", "S1", 7)
    assert record.similarity is None and record.created_at == T0 + timedelta(hours=4)


def test_pages_are_stable_when_rows_share_a_time(database: Database) -> None:
    add_rows(
        database, [row(1, "identify", "unknown") for _ in range(7)] + [row(2, "verify", "no_match")]
    )
    with database.session() as session:
        everything, total = logs.query_logs(session, filters=LogFilters(), limit=100, offset=0)
        pages = [
            logs.query_logs(session, filters=LogFilters(), limit=3, offset=offset)
            for offset in (0, 3, 6, 9)
        ]
    assert total == 8 and everything[0].operation == "verify"
    ids = [r.log_id for r in everything]
    assert ids[1:] == sorted(ids[1:], reverse=True)  # ties: the later row first
    assert [r.log_id for page, _ in pages for r in page] == ids
    assert [len(page) for page, _ in pages] == [3, 3, 2, 0]
    assert {count for _, count in pages} == {8}


def test_delete_older_than_takes_the_oldest_in_bounded_chunks(database: Database) -> None:
    cutoff = T0 + timedelta(days=30)
    oldest = [row(0, "identify", "unknown") for _ in range(20_000)]  # one time: all ties
    older = [row(30 * 24 - 1, "identify", "match") for _ in range(5_000)]  # an hour before
    kept = [row(30 * 24, "verify", "at_cutoff"), row(31 * 24, "verify", "after")]
    add_rows(database, oldest + older + kept)

    def remaining() -> dict[str, int]:
        with database.session() as session:
            counts = session.execute(
                select(FaceRecognitionLogs.Result, func.count()).group_by(
                    FaceRecognitionLogs.Result
                )
            )
            return {result: int(n) for result, n in counts}

    chunks = []
    while True:
        with database.session() as session:  # one transaction per chunk, as the service does
            chunks.append(logs.delete_older_than(session, cutoff=cutoff, limit=10_000))
        if len(chunks) == 1:  # the oldest went first, exactly one chunk of them
            assert remaining() == {"unknown": 10_000, "match": 5_000, "at_cutoff": 1, "after": 1}
        if chunks[-1] < 10_000:
            break
    assert chunks == [10_000, 10_000, 5_000]
    assert remaining() == {"at_cutoff": 1, "after": 1}  # strictly older only
    with database.session() as session:
        assert logs.delete_older_than(session, cutoff=cutoff, limit=10_000) == 0


def test_every_error_code_is_a_log_result() -> None:
    """An attempt stopped by any domain error logs that error's code as its result."""

    def subclasses(cls: type[FacerecError]) -> list[type[FacerecError]]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    codes = {error.code for error in subclasses(FacerecError)}
    assert codes <= {result.value for result in LogResult}
