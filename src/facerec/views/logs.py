"""The JSON shapes of the recognition logs (pydantic), and their conversion from domain objects.
A log carries a result and a score, never an embedding or an image."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from facerec import domain
from facerec.views.common import flat, rounded


class Log(BaseModel):
    log_id: int
    operation: domain.LogOperation = Field(description="verify, identify, enroll or attendance")
    result: domain.LogResult = Field(
        description="The decision (match, needs_review, unknown, no_match), enrolled, or the error "
        "code that stopped the attempt (no_face_found, poor_quality, ...)"
    )
    similarity: float | None = Field(description="The best similarity seen, -1 to 1")
    threshold: float | None
    person_type: domain.PersonType | None
    person_id: str | None
    face_id: int | None
    model_pack: str | None
    client: str | None = Field(description="The caller's address, or cli")
    created_at: datetime

    @classmethod
    def of(cls, record: domain.LogRecord) -> Log:
        return cls(**flat(record) | {"similarity": rounded(record.similarity)})


class LogPruneResponse(BaseModel):
    deleted: int
    retention_days: int = Field(description="FACEREC_LOG_RETENTION_DAYS; 0 keeps every log")
