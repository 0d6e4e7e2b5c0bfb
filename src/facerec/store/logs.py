"""FaceRecognitionLogs: one row per recognition attempt (result and score; never an embedding or an
image). Keyword-only arguments; the caller owns the session and its transaction.
Imports SQLAlchemy, the tables and the domain types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from facerec.domain import PersonRef
from facerec.store.clock import utcnow
from facerec.store.tables import FaceRecognitionLogs


@dataclass(frozen=True)
class LogEntry:
    operation: str
    result: str
    similarity: float | None = None
    threshold: float | None = None
    person: PersonRef | None = None
    face_id: int | None = None
    model_pack: str | None = None
    client: str | None = None


def add_logs(session: Session, *, entries: list[LogEntry]) -> None:
    now = utcnow()
    session.add_all(
        FaceRecognitionLogs(
            Operation=e.operation,
            Result=e.result,
            Similarity=e.similarity,
            Threshold=e.threshold,
            PersonType=e.person.person_type.value if e.person else None,
            PersonID=e.person.person_id if e.person else None,
            FaceID=e.face_id,
            ModelPack=e.model_pack,
            Client=(e.client or "")[:64] or None,
            CreatedAt=now,
        )
        for e in entries
    )


def delete_for_person(session: Session, *, ref: PersonRef) -> int:
    """Erase every log row that names the person; returns how many."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(FaceRecognitionLogs)
        .where(FaceRecognitionLogs.PersonType == ref.person_type.value)
        .where(FaceRecognitionLogs.PersonID == ref.person_id)
    )
    return int(result.rowcount or 0)
