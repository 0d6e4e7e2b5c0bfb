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


TIME_HELP = "ISO 8601; with a time zone it is converted to UTC, without one it is taken as UTC"


class LogQuery(BaseModel):
    """The filters of GET /v1/logs, as query parameters; each left out filters nothing."""

    operation: domain.LogOperation | None = None
    result: domain.LogResult | None = Field(
        None, description="e.g. match, needs_review, unknown, enrolled, no_face_found"
    )
    person_type: str | None = Field(None, description="student or teacher")
    person_id: str | None = Field(None, description="Needs person_type")
    client: str | None = Field(None, description="The caller's address, or cli")
    since: datetime | None = Field(None, description=f"From this time on (inclusive); {TIME_HELP}")
    until: datetime | None = Field(None, description=f"Before this time (exclusive); {TIME_HELP}")
    min_similarity: float | None = Field(None, description="Leaves out logs without a score")
    max_similarity: float | None = Field(None, description="Leaves out logs without a score")


class LogPruneResponse(BaseModel):
    deleted: int
    retention_days: int = Field(description="FACEREC_LOG_RETENTION_DAYS; 0 keeps every log")
