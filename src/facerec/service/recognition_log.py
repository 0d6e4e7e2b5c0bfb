"""Writing FaceRecognitionLogs rows for one request: its operation, threshold and client are given
once, each attempt's result, score and person per row. Never an embedding or an image.

Imports the store; nothing of the web.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from facerec.domain import LogOperation, LogResult, PersonRef
from facerec.store import logs
from facerec.store.db import Database
from facerec.store.logs import LogEntry


class RecognitionLog:
    """Writes one request's rows to FaceRecognitionLogs (results and scores only), each naming
    ``model_pack``, the pack that made the request's embeddings."""

    def __init__(
        self,
        database: Database,
        *,
        model_pack: str,
        operation: LogOperation,
        threshold: float | None,
        client: str | None,
    ):
        self.database = database
        self.model_pack = model_pack
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
            model_pack=self.model_pack,
            client=self.client,
        )

    def write(self, entries: list[LogEntry]) -> None:
        """In a transaction of their own: for attempts that wrote nothing else (refusals, errors)."""
        with self.database.session() as session:
            logs.add_logs(session, entries=entries)

    def add(self, session: Session, entries: list[LogEntry]) -> None:
        """In the caller's transaction: an attempt's rows commit with what it wrote, or not at all."""
        logs.add_logs(session, entries=entries)
