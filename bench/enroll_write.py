"""Enrollment's database write, alone and right after the model, written three ways (and an empty
unit of work beside them).

    .venv/bin/python bench/enroll_write.py [--database-url mysql+pymysql://root@127.0.0.1:3306/]
        [--rounds 40] [--out bench/results/enroll-write.md]

Why: in ``POST /v1/faces`` the write (the person, the face with its image, its change row and the
log row, in one transaction) runs on the worker thread right after the model, and there it costs
more than alone: the model's weights have pushed the interpreter's and SQLAlchemy's code out of the
CPU caches. This measures by how much, and how much of it each layer takes:

- ``facerec``: ``faces.write_enrollment``, what the service runs (an ORM Session, Core statements;
  on MySQL/MariaDB one statement more than the other ways: the person read back, since there the
  INSERT cannot tell whether it created the row);
- ``Core, one Connection``: the same four INSERTs on one ``engine.begin()`` Connection, no Session;
- ``DBAPI cursor``: the same INSERTs compiled once by SQLAlchemy for the dialect, their values
  converted by the columns' own bind processors, executed on the pool's driver connection; the
  floor of any write through Python with these statements;
- ``no statement``: a Session opened and committed empty, the unit of work's fixed cost.

Every write enrolls a new person (a new row each time, as the HTTP benchmark does). The model runs
on yaoming.jpg (233x287), the HTTP benchmark's small enroll photo, where the write weighs most. In
each round, every way takes its turn (in rotating order) at 5 writes right after a model run and
then 5 writes back to back; medians over all rounds. SQLite in a temporary folder by default; with
``--database-url``, a fresh database on that MySQL/MariaDB server, dropped afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path; put it last, so that no module here can
# shadow the standard library (gallery.py and photos.py are still found).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Mapping  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import Table, func, insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from facerec.config import Settings  # noqa: E402
from facerec.domain import LogOperation, LogResult, PersonRef, PersonType  # noqa: E402
from facerec.service import faces  # noqa: E402
from facerec.service.recognizer import LargestFace  # noqa: E402
from facerec.service.runtime import Runtime, start_runtime  # noqa: E402
from facerec.store import changes, logs  # noqa: E402
from facerec.store import repositories as repo  # noqa: E402
from facerec.store.clock import utcnow  # noqa: E402
from facerec.store.dialect import _insert_if_absent_statement  # noqa: E402
from facerec.store.tables import (  # noqa: E402
    FaceData,
    FaceRecognitionLogs,
    IndexChanges,
    Student,
    core_table,
)
from harness import fresh_database, provenance, publish  # noqa: E402
from photos import sample_photo  # noqa: E402

BLOCK = 5
CLIENT = "127.0.0.1"


@dataclass(frozen=True)
class Enrollment:
    """What every write stores: one photo's largest face, for a new person each time."""

    runtime: Runtime
    image: bytes
    largest: LargestFace
    ids: Iterator[int]

    def new_person(self) -> str:
        return f"W{next(self.ids)}"

    def face_values(self, person_id: str) -> dict[str, object]:
        """FaceData's values, as ``repositories.add_face`` writes them."""
        face = self.largest.face
        new_face = repo.NewFace(
            ref=PersonRef(PersonType.STUDENT, person_id),
            embedding=face.embedding,
            image=self.image,
            image_mime=self.largest.image.mime,
            image_sha256=hashlib.sha256(self.image).hexdigest(),
            bbox=face.face.bbox,
            det_score=face.face.score,
            model_pack=self.runtime.recognizer.model_pack,
        )
        return repo.face_row(new_face, created_at=utcnow())

    def log_values(self, person_id: str, face_id: int) -> dict[str, object]:
        """The log row's values, as ``logs.add_logs`` writes them."""
        log = self.runtime.recognizer.log(LogOperation.ENROLL, threshold=None, client=CLIENT)
        ref = PersonRef(PersonType.STUDENT, person_id)
        return logs.log_row(log.entry(LogResult.ENROLLED, person=ref, face_id=face_id), utcnow())


def person_values(person_id: str) -> dict[str, object]:
    return {"StudentID": person_id, "Name": None, "ClassName": None, "CreatedAt": utcnow()}


def facerec_write(e: Enrollment) -> None:
    ref = PersonRef(PersonType.STUDENT, e.new_person())
    log = e.runtime.recognizer.log(LogOperation.ENROLL, threshold=None, client=CLIENT)
    unset: dict[str, None] = {"name": None, "class_name": None, "similarity": None}
    faces.write_enrollment(
        e.runtime.recognizer, ref=ref, image=e.image, largest=e.largest, log=log, **unset
    )


def core_write(e: Enrollment) -> None:
    engine = e.runtime.database.engine
    person_id = e.new_person()
    with engine.begin() as connection:
        student = core_table(Student)
        connection.execute(
            _insert_if_absent_statement(engine.dialect.name, student, "StudentID"),
            person_values(person_id),
        )
        face_id = connection.execute(
            insert(core_table(FaceData)), e.face_values(person_id)
        ).inserted_primary_key[0]
        connection.execute(
            insert(core_table(IndexChanges)),
            [{"FaceID": face_id, "Action": changes.ADD, "CreatedAt": utcnow()}],
        )
        connection.execute(
            insert(core_table(FaceRecognitionLogs)), [e.log_values(person_id, face_id)]
        )


@dataclass(frozen=True)
class DriverStatement:
    """An INSERT compiled once for the engine's dialect, with its columns' bind processors."""

    sql: str
    positions: tuple[str, ...] | None  # the parameters' order, for a positional paramstyle
    processors: Mapping[str, Callable[[Any], Any] | None]

    @classmethod
    def of(
        cls, engine: Engine, statement: Any, table: Table, columns: list[str]
    ) -> DriverStatement:
        compiled = statement.compile(dialect=engine.dialect, column_keys=columns)
        return cls(
            sql=compiled.string,
            positions=tuple(compiled.positiontup) if compiled.positional else None,
            processors={c: table.c[c].type.bind_processor(engine.dialect) for c in columns},
        )

    def parameters(self, values: Mapping[str, object]) -> Any:
        converted = {
            k: (process(v) if (process := self.processors[k]) is not None else v)
            for k, v in values.items()
        }
        return tuple(converted[k] for k in self.positions) if self.positions else converted


def driver_write_for(e: Enrollment) -> Callable[[Enrollment], None]:
    engine = e.runtime.database.engine
    student, face, change, log = (
        core_table(t) for t in (Student, FaceData, IndexChanges, FaceRecognitionLogs)
    )
    person_sql = DriverStatement.of(
        engine,
        _insert_if_absent_statement(engine.dialect.name, student, "StudentID"),
        student,
        [*person_values("x"), "Active"],
    )
    face_sql = DriverStatement.of(engine, insert(face), face, list(e.face_values("x")))
    change_sql = DriverStatement.of(
        engine, insert(change), change, ["FaceID", "Action", "CreatedAt"]
    )
    log_sql = DriverStatement.of(engine, insert(log), log, list(e.log_values("x", 0)))

    def driver_write(e: Enrollment) -> None:
        person_id = e.new_person()
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(
                person_sql.sql, person_sql.parameters({**person_values(person_id), "Active": True})
            )
            cursor.execute(face_sql.sql, face_sql.parameters(e.face_values(person_id)))
            face_id = cursor.lastrowid
            cursor.execute(
                change_sql.sql,
                change_sql.parameters(
                    {"FaceID": face_id, "Action": changes.ADD, "CreatedAt": utcnow()}
                ),
            )
            cursor.execute(log_sql.sql, log_sql.parameters(e.log_values(person_id, face_id)))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    return driver_write


def empty_unit_of_work(e: Enrollment) -> None:
    with e.runtime.database.session() as session:
        session.connection()


def measure(e: Enrollment, rounds: int) -> tuple[dict[str, dict[str, list[float]]], list[float]]:
    ways: dict[str, Callable[[Enrollment], None]] = {
        "facerec (`faces.write_enrollment`: Session, Core statements)": facerec_write,
        "Core, one Connection, no Session": core_write,
        "DBAPI cursor (the same INSERTs compiled once)": driver_write_for(e),
        "no statement (a Session opened and committed empty)": empty_unit_of_work,
    }
    for write in ways.values():  # warm-up: compiled-statement caches, pool, files
        for _ in range(BLOCK):
            write(e)
    times: dict[str, dict[str, list[float]]] = {w: {"after": [], "alone": []} for w in ways}
    compute: list[float] = []
    names = list(ways)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            write = ways[name]
            for _ in range(BLOCK):
                started = time.perf_counter()
                e.runtime.recognizer.largest_face(e.image)
                between = time.perf_counter()
                write(e)
                ended = time.perf_counter()
                compute.append((between - started) * 1000)
                times[name]["after"].append((ended - between) * 1000)
            for _ in range(BLOCK):
                started = time.perf_counter()
                write(e)
                times[name]["alone"].append((time.perf_counter() - started) * 1000)
    return times, compute


def check_rows(runtime: Runtime, *, writes: int) -> None:
    """Every way wrote whole enrollments: as many people, faces, change rows and log rows as
    writes."""
    with runtime.database.engine.connect() as connection:
        counts = {
            t.__tablename__: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Student, FaceData, IndexChanges, FaceRecognitionLogs)
        }
    if set(counts.values()) != {writes}:
        raise SystemExit(f"expected {writes} rows in each table, found {counts}")


def report(
    times: dict[str, dict[str, list[float]]], compute: list[float], *, database: str, rounds: int
) -> str:
    p50 = statistics.median
    lines = [
        "## Enrollment's database write, alone and right after the model\n",
        provenance() + "\n",
        f"Database: {database}. Model: yaoming.jpg (233x287), compute p50 {p50(compute):.1f} ms. "
        f"{rounds} rounds; in each, every way in turn: {BLOCK} writes each right after a model "
        f"run, then {BLOCK} back to back. Medians; load average (1 min) at the end "
        f"{os.getloadavg()[0]:.1f}.\n",
        "| write | alone p50 ms | after the model p50 ms | after / alone | after, % of compute |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, t in times.items():
        alone, after = p50(t["alone"]), p50(t["after"])
        lines.append(
            f"| {name} | {alone:.2f} | {after:.2f} | {after / alone:.1f}x "
            f"| {after / p50(compute) * 100:.1f}% |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a MySQL/MariaDB server; default SQLite")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("bench/results/enroll-write.md"))
    args = parser.parse_args()
    photo = sample_photo("yaoming.jpg").data
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=url)
        runtime = start_runtime(settings)
        try:
            enrollment = Enrollment(
                runtime=runtime,
                image=photo,
                largest=runtime.recognizer.largest_face(photo),
                ids=itertools.count(),
            )
            times, compute = measure(enrollment, args.rounds)
            check_rows(runtime, writes=next(enrollment.ids))
        finally:
            runtime.close()
        database = "MariaDB/MySQL" if url else "SQLite (WAL, synchronous=NORMAL)"
        text = report(times, compute, database=database, rounds=args.rounds)
    publish(text, args.out)


if __name__ == "__main__":
    main()
