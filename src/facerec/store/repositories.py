"""Data access: turns rows into domain objects and back. Keyword-only arguments, one session per call.

Functions take an open ``Session`` (from ``Database.session()``); the caller owns the transaction.
Imports SQLAlchemy, the tables and the domain types only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import CursorResult, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from facerec.domain import (
    BoundingBox,
    FaceRecord,
    PersonRef,
    PersonType,
    Vector,
)
from facerec.errors import FaceNotFound
from facerec.store import changes
from facerec.store.clock import utcnow
from facerec.store.owners import owner_column, owner_ref, owner_values
from facerec.store.tables import FaceData, Student, Teacher, core_table

EMBEDDING_BATCH = 2000  # rows fetched at a time when the embeddings are streamed

# Faces ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFace:
    """A face to store: whose it is, its embedding, and the photo it was found in."""

    ref: PersonRef
    embedding: Vector
    image: bytes
    image_mime: str
    image_sha256: str
    bbox: BoundingBox
    det_score: float
    model_pack: str


def add_face(session: Session, *, face: NewFace) -> FaceRecord:
    created_at = utcnow()
    # A Core INSERT of the table, not an ORM object: nothing reads the row back, and the unit of
    # work's flush costs more than the statement. The values go as parameters, not .values(), so
    # that the compiled statement is cached.
    inserted: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        insert(core_table(FaceData)), face_row(face, created_at=created_at)
    )
    key = inserted.inserted_primary_key
    assert key is not None  # one row inserted
    face_id = int(key[0])
    changes.mark_faces(session, face_ids=[face_id], action=changes.ADD)
    return FaceRecord(
        face_id=face_id,
        person=face.ref,
        model_pack=face.model_pack,
        bbox=face.bbox,
        det_score=face.det_score,
        created_at=created_at,
        image_mime=face.image_mime,
    )


def face_row(face: NewFace, *, created_at: datetime) -> dict[str, object]:
    """A new FaceData row's values, by column: the embedding both as JSON and as float32 bytes."""
    box = face.bbox
    return {
        **owner_values(face.ref),
        "FaceDescriptor": _json_vector(face.embedding),
        "Embedding": _binary(face.embedding),
        "ImageData": face.image,
        "ImageMime": face.image_mime,
        "ImageSHA256": face.image_sha256,
        "ModelPack": face.model_pack,
        "BBox": [box.x1, box.y1, box.x2, box.y2],
        "DetScore": face.det_score,
        "CreatedAt": created_at,
    }


def get_face(session: Session, *, face_id: int) -> FaceRecord:
    row = session.get(FaceData, face_id)
    if row is None:
        raise FaceNotFound(f"face {face_id} does not exist")
    return _face_record(row)


def find_face_by_image(session: Session, *, ref: PersonRef, image_sha256: str) -> FaceRecord | None:
    """The person's face enrolled from exactly this image (by its sha256), if any."""
    row = session.scalars(
        select(FaceData)
        .where(owner_column(FaceData, ref.person_type) == ref.person_id)
        .where(FaceData.ImageSHA256 == image_sha256)
        .limit(1)
    ).first()
    return _face_record(row) if row is not None else None


def get_face_image(session: Session, *, face_id: int) -> tuple[bytes, str]:
    found = session.execute(
        select(FaceData.ImageData, FaceData.ImageMime).where(FaceData.FaceID == face_id)
    ).one_or_none()
    if found is None or found.ImageData is None:
        raise FaceNotFound(f"face {face_id} has no stored image")
    return found.ImageData, found.ImageMime or "application/octet-stream"


def list_faces(
    session: Session,
    *,
    ref: PersonRef | None,
    person_type: PersonType | None,
    limit: int,
    offset: int,
) -> tuple[list[FaceRecord], int]:
    """Faces (newest first) of one person, of one kind of person, or of everyone; and the total."""
    query = select(FaceData)
    if ref is not None:
        query = query.where(owner_column(FaceData, ref.person_type) == ref.person_id)
    elif person_type is not None:
        query = query.where(owner_column(FaceData, person_type).is_not(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(FaceData.FaceID.desc()).limit(limit).offset(offset))
    return [_face_record(r) for r in rows], int(total)


def delete_face(session: Session, *, face_id: int) -> FaceRecord:
    row = session.get(FaceData, face_id)
    if row is None:
        raise FaceNotFound(f"face {face_id} does not exist")
    record = _face_record(row)
    session.execute(delete(FaceData).where(FaceData.FaceID == face_id))
    changes.mark_faces(session, face_ids=[face_id], action=changes.REMOVE)
    return record


@dataclass(frozen=True, eq=False)
class StoredEmbedding:
    face_id: int
    person: PersonRef
    embedding: Vector


def iter_embeddings(
    session: Session,
    *,
    model_pack: str,
    ref: PersonRef | None = None,
) -> Iterator[StoredEmbedding]:
    """Every stored embedding made by ``model_pack`` of an active person, streamed in batches of
    ``EMBEDDING_BATCH`` rows (no images loaded). ``ref`` narrows it to one person's.

    Read from the binary copy (``Embedding``, written beside FaceDescriptor by every writer and
    filled for older rows by migration 0003): parsing 512 numbers of JSON per face would dominate
    start-up."""
    query = (
        select(FaceData.FaceID, FaceData.StudentID, FaceData.TeacherID, FaceData.Embedding)
        .outerjoin(Student, Student.StudentID == FaceData.StudentID)
        .outerjoin(Teacher, Teacher.TeacherID == FaceData.TeacherID)
        .where(FaceData.ModelPack == model_pack)
        .where(or_(Student.Active.is_(True), Teacher.Active.is_(True)))
        .order_by(FaceData.FaceID)
        .execution_options(yield_per=EMBEDDING_BATCH)
    )
    if ref is not None:
        query = query.where(owner_column(FaceData, ref.person_type) == ref.person_id)
    for face_id, student_id, teacher_id, stored in session.execute(query):
        assert stored is not None  # written with every FaceDescriptor since migration 0003
        yield StoredEmbedding(
            face_id=face_id,
            person=owner_ref(student_id, teacher_id),
            embedding=changes.stored_vector(stored),
        )


def count_faces_by_pack(session: Session) -> dict[str, int]:
    rows = session.execute(select(FaceData.ModelPack, func.count()).group_by(FaceData.ModelPack))
    return {pack: int(n) for pack, n in rows}


# Helpers --------------------------------------------------------------------------------------------


def _json_vector(embedding: Vector) -> list[float]:
    """FaceDescriptor's value: the float32 values as Python floats (``tolist`` converts them all
    in C; the same numbers, so the same JSON)."""
    values: list[float] = np.asarray(embedding, dtype=np.float32).tolist()
    return values


def _binary(embedding: Vector) -> bytes:
    return np.asarray(embedding, dtype="<f4").tobytes()


def _face_record(row: FaceData) -> FaceRecord:
    x1, y1, x2, y2 = row.BBox
    return FaceRecord(
        face_id=row.FaceID,
        person=owner_ref(row.StudentID, row.TeacherID),
        model_pack=row.ModelPack,
        bbox=BoundingBox(x1, y1, x2, y2),
        det_score=row.DetScore,
        created_at=row.CreatedAt,
        image_mime=row.ImageMime,
    )


# Re-embedding ---------------------------------------------------------------------------------------


def face_ids_of_other_packs(session: Session, *, model_pack: str) -> list[int]:
    return list(session.scalars(select(FaceData.FaceID).where(FaceData.ModelPack != model_pack)))


def get_face_source(session: Session, *, face_id: int) -> tuple[bytes, BoundingBox] | None:
    """The stored image and face box of a face, or None when either is missing."""
    row = session.get(FaceData, face_id)
    if row is None or row.ImageData is None:
        return None
    return row.ImageData, BoundingBox(*row.BBox)


def update_embedding(
    session: Session,
    *,
    face_id: int,
    embedding: Vector,
    model_pack: str,
    bbox: BoundingBox,
    det_score: float,
) -> None:
    row = session.get(FaceData, face_id)
    if row is None:
        raise FaceNotFound(f"face {face_id} does not exist")
    row.FaceDescriptor = _json_vector(embedding)
    row.Embedding = _binary(embedding)
    row.ModelPack = model_pack
    row.BBox = [bbox.x1, bbox.y1, bbox.x2, bbox.y2]
    row.DetScore = det_score
    changes.mark_faces(session, face_ids=[face_id], action=changes.ADD)
