"""The schema: created by migrations, equal to the table models, upgraded in place (never recreated)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from facerec.config import Settings
from facerec.domain import PersonRef, PersonType, unit_embedding
from facerec.store import people
from facerec.store import repositories as repo
from facerec.store.db import MIGRATIONS_DIR, Database
from facerec.store.tables import Base
from tests.conftest import new_face


def database_at(settings: Settings, revision: str) -> Database:
    """The settings' database with the schema of ``revision``: as an older facerec left it."""
    database = Database(settings.sqlalchemy_url().get_secret_value())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return database


def open_db(settings: Settings) -> Database:
    database = Database(settings.sqlalchemy_url().get_secret_value())
    database.migrate()
    return database


def test_migrations_create_the_seed_tables_matching_the_models(settings: Settings) -> None:
    database = open_db(settings)
    try:
        tables = set(inspect(database.engine).get_table_names())
        assert {
            "FaceData",
            "Student",
            "Teacher",
            "AttendanceRecords",
            "FaceRecognitionLogs",
        } <= tables
        columns = {c["name"] for c in inspect(database.engine).get_columns("FaceData")}
        assert {
            "FaceDescriptor",
            "ImageData",
            "StudentID",
            "TeacherID",
            "ModelPack",
            "CreatedAt",
        } <= columns
        with database.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert differences == []
        if database.dialect == "mysql":
            with database.engine.connect() as conn:
                kind = conn.execute(
                    text(
                        "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                        "AND TABLE_NAME = 'FaceData' AND COLUMN_NAME = 'ImageData'"
                    )
                ).scalar_one()
            assert kind.lower() == "longblob"
    finally:
        database.dispose()


def test_upgrading_again_keeps_every_row(settings: Settings) -> None:
    database = open_db(settings)
    ref = PersonRef(PersonType.STUDENT, "S1")
    with database.session() as session:
        people.ensure_person(session, ref=ref, name="Ada")
        record = repo.add_face(session, face=new_face(ref))
    database.dispose()

    again = open_db(settings)
    try:
        with again.session() as session:
            assert repo.get_face(session, face_id=record.face_id).person == ref
            assert repo.get_face_image(session, face_id=record.face_id) == (
                b"\xff\xd8 jpeg bytes",
                "image/jpeg",
            )
            stored = list(repo.iter_embeddings(session, model_pack="bundled"))
        assert len(stored) == 1 and abs(float(stored[0].embedding.sum()) - 512 / 512**0.5) < 1e-3
        with again.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
            )
    finally:
        again.dispose()


def test_a_face_belongs_to_exactly_one_person(settings: Settings, tmp_path: Path) -> None:
    database = open_db(settings)
    try:
        with database.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO Student (StudentID, CreatedAt) VALUES ('s', '2026-01-01')")
            )
        failed = False
        try:
            with database.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO FaceData (FaceDescriptor, ModelPack, BBox, DetScore, CreatedAt) "
                        "VALUES ('[]', 'bundled', '[0,0,1,1]', 0.9, '2026-01-01')"
                    )
                )
        except Exception:
            failed = True
        assert failed, "a face without an owner was accepted"
    finally:
        database.dispose()


def test_an_issue_2_database_upgrades_with_its_attendance_rows(settings: Settings) -> None:
    """0001 -> 0002 fills the new PersonKey of existing records, so the unique key holds for them."""
    database = database_at(settings, "0001")
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO Student (StudentID, CreatedAt) VALUES ('s1', '2026-01-01')"))
        for hour in (8, 9):  # 0001 allowed the same person twice on one day; 0002 keeps the first
            conn.execute(
                text(
                    "INSERT INTO AttendanceRecords (StudentID, AttendanceDate, RecordedAt, Status, "
                    f"Source) VALUES ('s1', '2026-01-02', '2026-01-02 0{hour}:00:00', 'present', "
                    "'photo')"
                )
            )
    try:
        database.migrate()
        with database.engine.connect() as conn:
            row = conn.execute(
                text("SELECT PersonKey, SessionID, RecordedAt FROM AttendanceRecords")
            ).one()
            active = conn.execute(text("SELECT Active FROM Student")).scalar_one()
        assert tuple(row)[:2] == ("student:s1", "") and "08:00" in str(tuple(row)[2])
        assert bool(active) is True
        with database.engine.connect() as conn:  # foreign keys, collations and all
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        with database.engine.begin() as conn:  # ids compare exactly, on MariaDB too
            conn.execute(
                text("INSERT INTO Student (StudentID, CreatedAt) VALUES ('S1', '2026-01-01')")
            )
            assert conn.execute(text("SELECT COUNT(*) FROM Student")).scalar_one() == 2
            conn.execute(text("DELETE FROM Student WHERE StudentID = 's1'"))
            # The foreign key came back with its ON DELETE CASCADE.
            assert conn.execute(text("SELECT COUNT(*) FROM AttendanceRecords")).scalar_one() == 0
    finally:
        database.dispose()


def test_upgrading_to_0003_fills_the_binary_copy_of_every_vector(settings: Settings) -> None:
    """Faces stored before 0003 (JSON only) get their float32 copy, and load the same."""
    database = database_at(settings, "0002")
    vector = unit_embedding(list(range(1, 513)))
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO Student (StudentID, CreatedAt) VALUES ('s1', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO FaceData (StudentID, FaceDescriptor, ModelPack, BBox, DetScore, "
                "CreatedAt) VALUES ('s1', :vector, 'bundled', '[0, 0, 1, 1]', 0.9, '2026-01-01')"
            ),
            {"vector": json.dumps([float(v) for v in vector])},
        )
    try:
        database.migrate()
        with database.engine.connect() as conn:
            stored = conn.execute(text("SELECT Embedding FROM FaceData")).scalar_one()
        assert np.array_equal(np.frombuffer(stored, dtype="<f4"), vector)
        with database.session() as session:
            [loaded] = list(repo.iter_embeddings(session, model_pack="bundled"))
        assert np.allclose(loaded.embedding, vector, atol=1e-7)
    finally:
        database.dispose()
