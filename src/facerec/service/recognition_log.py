"""Writing FaceRecognitionLogs rows for one request: its operation, threshold and client are given
once, each attempt's result, score and person per row. Never an embedding or an image.

Imports the store; nothing of the web.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from facerec.domain import LogOperation, LogResult, PersonRef
from facerec.service.runtime import Runtime
from facerec.store import logs
from facerec.store.logs import LogEntry


class RecognitionLog:
    """Writes one request's rows to FaceRecognitionLogs (results and scores only)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        operation: LogOperation,
        threshold: float | None,
        client: str | None,
    ):
        self.runtime = runtime
        self.operation = operation
        self.threshold = threshold
        self.client = client

    def entry(
        self,
        result: LogResult,
        *,
        similarity: float | None = None,
        person: PersonRef | None = None,
        face_id: int | None = None,
    ) -> LogEntry:
        return LogEntry(
            self.operation,
            result,
            similarity=similarity,
            threshold=self.threshold,
            person=person,
            face_id=face_id,
            model_pack=self.runtime.model_pack,
            client=self.client,
        )

    def write(self, entries: list[LogEntry]) -> None:
        """In a transaction of their own: for attempts that wrote nothing else (refusals, errors)."""
        with self.runtime.database.session() as session:
            logs.add_logs(session, entries=entries)

    def add(self, session: Session, entries: list[LogEntry]) -> None:
        """In the caller's transaction: an attempt's rows commit with what it wrote, or not at all."""
        logs.add_logs(session, entries=entries)
