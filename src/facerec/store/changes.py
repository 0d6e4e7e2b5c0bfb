"""IndexChanges: which faces each write touched, written in the writer's own transaction, and read by
every server process to bring its index up to date (``service/index_sync.py``).

Keyword-only arguments; the caller owns the session and its transaction. Imports SQLAlchemy, the
tables and the domain types only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, bindparam, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from facerec.domain import PersonRef, Vector, unit_embedding
from facerec.store.clock import utcnow
from facerec.store.owners import owner_column, owner_ref
from facerec.store.tables import FaceData, IndexChanges, Student, Teacher, core_table

ADD = "add"
REMOVE = "remove"


def mark_faces(session: Session, *, face_ids: Iterable[int], action: str) -> None:
    now = utcnow()
    rows = [{"FaceID": f, "Action": action, "CreatedAt": now} for f in face_ids]
    if rows:  # the table, not the ORM class: plain Core executemany, half the cost
        session.execute(insert(core_table(IndexChanges)), rows)


def mark_faces_of(session: Session, *, ref: PersonRef, action: str) -> None:
    """Mark every face of the person, in one statement (INSERT ... SELECT)."""
    faces = select(FaceData.FaceID, literal(action), literal(utcnow())).where(
        owner_column(FaceData, ref.person_type) == ref.person_id
    )
    session.execute(insert(IndexChanges).from_select(["FaceID", "Action", "CreatedAt"], faces))


@dataclass(frozen=True, eq=False)
class Change:
    """A change, with what an index should now hold for its face: its person and embedding, or
    None for both when the face is gone, made by another model pack, or its person is inactive."""

    change_id: int
    face_id: int
    person: PersonRef | None
    embedding: Vector | None


def changes_after(
    session: Session, *, after: int, also: Collection[int] = (), model_pack: str, limit: int
) -> list[Change]:
    """The changes with an id above ``after`` or in ``also``, oldest first, each with its face as
    FaceData holds it now (one query: a range scan of the primary key joined to the faces, the same
    snapshot for both)."""
    params: dict[str, object] = {"after": after, "model_pack": model_pack}
    if also:
        params["also"] = list(also)
    rows = session.execute(_changes_statement(limit=limit, asked=bool(also)), params)
    return [_change(*row) for row in rows]


@cache
def _changes_statement(*, limit: int, asked: bool) -> Select[int, int, str, str, bytes | None]:
    """Built once: every search runs it, and building a statement costs more than running it."""
    newer = IndexChanges.ChangeID > bindparam("after")
    if asked:
        newer = or_(newer, IndexChanges.ChangeID.in_(bindparam("also", expanding=True)))
    searchable = FaceData.ModelPack == bindparam("model_pack")
    return (
        select(
            IndexChanges.ChangeID,
            IndexChanges.FaceID,
            Student.StudentID,
            Teacher.TeacherID,
            FaceData.Embedding,
        )
        .outerjoin(FaceData, and_(FaceData.FaceID == IndexChanges.FaceID, searchable))
        .outerjoin(Student, and_(Student.StudentID == FaceData.StudentID, Student.Active.is_(True)))
        .outerjoin(Teacher, and_(Teacher.TeacherID == FaceData.TeacherID, Teacher.Active.is_(True)))
        .where(newer)
        .order_by(IndexChanges.ChangeID)
        .limit(limit)
    )


def _change(
    change_id: int,
    face_id: int,
    student_id: str | None,
    teacher_id: str | None,
    stored: bytes | None,
) -> Change:
    if stored is None or (student_id is None and teacher_id is None):
        return Change(change_id=change_id, face_id=face_id, person=None, embedding=None)
    return Change(
        change_id=change_id,
        face_id=face_id,
        person=owner_ref(student_id, teacher_id),
        embedding=stored_vector(stored),
    )


def stored_vector(stored: bytes) -> Vector:
    """A face's vector from its binary copy (``FaceData.Embedding``: little-endian float32)."""
    return unit_embedding(np.frombuffer(stored, dtype="<f4"))


def ids_above(session: Session, *, after: int) -> set[int]:
    """The change ids above ``after`` (a range scan of the primary key)."""
    return set(session.scalars(select(IndexChanges.ChangeID).where(IndexChanges.ChangeID > after)))


def latest_change(session: Session) -> int:
    return int(session.scalar(select(func.max(IndexChanges.ChangeID))) or 0)


def delete_older_than(session: Session, *, cutoff: datetime) -> int:
    """Delete the changes older than ``cutoff``, except the newest of all: SQLite hands out the
    next id after the highest one present, so an emptied table would start again at 1, below what
    every running process has seen."""
    newest = latest_change(session)
    result: Any = session.execute(
        delete(IndexChanges).where(IndexChanges.CreatedAt < cutoff, IndexChanges.ChangeID < newest)
    )
    return int(result.rowcount or 0)
