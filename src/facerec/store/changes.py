"""IndexChanges: which faces each write touched, written in the writer's own transaction, and read by
every server process to bring its index up to date (``service/index_sync.py``).

Keyword-only arguments; the caller owns the session and its transaction. Imports SQLAlchemy, the
tables and the domain types only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from facerec.domain import PersonRef
from facerec.store.clock import utcnow
from facerec.store.owners import owner_column
from facerec.store.tables import FaceData, IndexChanges

ADD = "add"
REMOVE = "remove"


def mark_faces(session: Session, *, face_ids: Iterable[int], action: str) -> None:
    now = utcnow()
    rows = [{"FaceID": f, "Action": action, "CreatedAt": now} for f in face_ids]
    if rows:
        session.execute(insert(IndexChanges), rows)


def mark_faces_of(session: Session, *, ref: PersonRef, action: str) -> None:
    """Mark every face of the person, in one statement (INSERT ... SELECT)."""
    faces = select(FaceData.FaceID, literal(action), literal(utcnow())).where(
        owner_column(FaceData, ref.person_type) == ref.person_id
    )
    session.execute(insert(IndexChanges).from_select(["FaceID", "Action", "CreatedAt"], faces))


@dataclass(frozen=True)
class Change:
    change_id: int
    face_id: int
    created_at: datetime


def changes_after(session: Session, *, after: int, limit: int) -> list[Change]:
    """The changes with an id above ``after``, oldest first (a range scan of the primary key)."""
    rows = session.execute(
        select(IndexChanges.ChangeID, IndexChanges.FaceID, IndexChanges.CreatedAt)
        .where(IndexChanges.ChangeID > after)
        .order_by(IndexChanges.ChangeID)
        .limit(limit)
    )
    return [Change(change_id=c, face_id=f, created_at=t) for c, f, t in rows]


def latest_change(session: Session) -> int:
    return int(session.scalar(select(func.max(IndexChanges.ChangeID))) or 0)


def delete_older_than(session: Session, *, cutoff: datetime) -> int:
    result: Any = session.execute(delete(IndexChanges).where(IndexChanges.CreatedAt < cutoff))
    return int(result.rowcount or 0)
