"""The JSON shape of a bulk enrollment's report (pydantic), and its conversion from the service's."""

from __future__ import annotations

from pydantic import BaseModel, Field

from facerec.service.batch import BatchReport, ItemResult, ItemStatus
from facerec.views.common import EnrollResponse, ErrorDetail


class BatchItemResult(BaseModel):
    source: str = Field(
        description="The file inside the archive or folder (or the mapping.csv line)"
    )
    person_type: str = Field(description="As given; may be invalid on a failed item")
    person_id: str = Field(description="As given; may be invalid on a failed item")
    status: ItemStatus = Field(
        description="enrolled; already_enrolled: the person already has a face from exactly these "
        "bytes, nothing was written; failed: see error, nothing was written"
    )
    face_id: int | None = Field(description="The new face, or the existing one; null when failed")
    error: ErrorDetail | None = Field(
        description="Why the item failed: the same codes as POST /v1/faces (no_face_found, "
        "poor_quality, duplicate_face, corrupt_image, image_too_large, invalid_input, ...)"
    )
    warnings: list[str] = Field(
        description="As for POST /v1/faces, e.g. an overridden quality gate"
    )

    @classmethod
    def of(cls, item: ItemResult) -> BatchItemResult:
        error = item.error
        return cls(
            source=item.source,
            person_type=item.person_type,
            person_id=item.person_id,
            status=item.status,
            face_id=item.face_id,
            error=ErrorDetail(code=error.code, message=error.message, details=error.details)
            if error
            else None,
            warnings=EnrollResponse.of_enrollment(item.enrollment).warnings
            if item.enrollment
            else [],
        )


class BatchTotals(BaseModel):
    items: int
    enrolled: int
    already_enrolled: int
    failed: int


class BatchResponse(BaseModel):
    totals: BatchTotals
    items: list[BatchItemResult] = Field(description="One per photo or mapping.csv row, in order")

    @classmethod
    def of(cls, report: BatchReport) -> BatchResponse:
        return cls(
            totals=BatchTotals(
                items=len(report.items),
                enrolled=report.enrolled,
                already_enrolled=report.already_enrolled,
                failed=report.failed,
            ),
            items=[BatchItemResult.of(item) for item in report.items],
        )
