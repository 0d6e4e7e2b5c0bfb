"""The rows one enrollment writes, on SQLite and MariaDB, through the store's plain (Core) statements:
what the writers return is what a read gives back, and the stored values follow the organisation's schema."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import String, func, select, type_coerce

from facerec.domain import BoundingBox, PersonRef, PersonType, unit_embedding
from facerec.store import logs, people
from facerec.store import repositories as repo
from facerec.store.db import Database
from facerec.store.logs import LogEntry
from facerec.store.tables import FaceData, FaceRecognitionLogs, IndexChanges
from tests.conftest import new_face


@pytest.mark.parametrize("class_name", [None, "7B"])
def test_a_new_person_is_returned_as_stored(database: Database, class_name: str | None) -> None:
    ref = PersonRef(PersonType.STUDENT, "S-NEW")
    with database.session() as session:
        made = people.ensure_person(session, ref=ref, name="Ada", class_name=class_name)
    with database.session() as session:
        stored = people.get_person(session, ref=ref)
    # MySQL's DATETIME keeps whole seconds (rounded or cut); the rest must be equal.
    assert abs(made.created_at - stored.created_at) <= timedelta(seconds=1)
    assert made.created_at.replace(microsecond=0) == stored.created_at.replace(microsecond=0)
    assert (made.ref, made.name, made.class_name, made.active, made.face_count) == (
        stored.ref,
        "Ada",
        class_name,
        True,
        0,
    )
    assert stored.updated_at is None and made.updated_at is None


def test_an_enrolled_face_is_returned_as_stored_and_announced(database: Database) -> None:
    ref = PersonRef(PersonType.TEACHER, "T-1")
    embedding = unit_embedding(np.random.default_rng(3).standard_normal(512))
    with database.session() as session:
        people.ensure_person(session, ref=ref, name=None)
        face = new_face(
            ref,
            embedding=embedding,
            image=b"\xff\xd8jpeg",
            image_sha256="a" * 64,
            bbox=BoundingBox(1.5, 2.0, 30.25, 40.0),
            det_score=0.875,
        )
        record = repo.add_face(session, face=face)
    with database.session() as session:
        read = repo.get_face(session, face_id=record.face_id)
        row = session.get(FaceData, record.face_id)
        assert row is not None
        descriptor, stored_vector = row.FaceDescriptor, row.Embedding
        changes = session.execute(select(IndexChanges.FaceID, IndexChanges.Action)).all()
    assert (read.face_id, read.person, read.bbox, read.det_score, read.model_pack) == (
        record.face_id,
        record.person,
        record.bbox,
        record.det_score,
        record.model_pack,
    )
    assert abs(read.created_at - record.created_at) <= timedelta(seconds=1)
    # The schema's JSON array, every float32 value exactly; and the binary copy beside it.
    assert descriptor == [float(v) for v in embedding]
    # The column's own text, as another program reading FaceData gets it: standard JSON.
    with database.session() as session:
        text_ = session.execute(
            select(type_coerce(FaceData.FaceDescriptor, String)).where(
                FaceData.FaceID == record.face_id
            )
        ).scalar_one()
    assert json.loads(text_) == [float(v) for v in embedding]
    assert stored_vector is not None
    assert np.array_equal(np.frombuffer(stored_vector, dtype="<f4"), embedding)
    assert [tuple(c) for c in changes] == [(record.face_id, "add")]


def test_log_rows_are_written_in_one_go_and_none_for_no_entries(database: Database) -> None:
    entries = [
        LogEntry("identify", "match", similarity=0.71, threshold=0.3, face_id=4, client="::1"),
        LogEntry("identify", "unknown", threshold=0.3, client="x" * 100),
    ]
    with database.session() as session:
        logs.add_logs(session, entries=entries)
        logs.add_logs(session, entries=[])
    with database.session() as session:
        rows = session.execute(
            select(
                FaceRecognitionLogs.Result,
                FaceRecognitionLogs.Similarity,
                FaceRecognitionLogs.FaceID,
                FaceRecognitionLogs.Client,
            ).order_by(FaceRecognitionLogs.LogID)
        ).all()
        total = session.scalar(select(func.count()).select_from(FaceRecognitionLogs))
    assert total == 2
    assert [tuple(r) for r in rows] == [
        ("match", 0.71, 4, "::1"),
        ("unknown", None, None, "x" * 64),
    ]
