"""The API's JSON shapes (pydantic), and their conversion from domain objects. One module per family;
everything is re-exported here, so routes write ``schemas.EnrollResponse``."""

from __future__ import annotations

from facerec.api.schemas.common import (
    ERROR_RESPONSES,
    BBox,
    Candidate,
    DetectResponse,
    EnrolledFace,
    EnrollResponse,
    ErrorDetail,
    ErrorResponse,
    Face,
    FaceList,
    Health,
    IdentifiedFace,
    IdentifyResponse,
    Info,
    Quality,
    QualityCheck,
    Ready,
    ReindexResponse,
    VerifyResponse,
)

__all__ = [
    "ERROR_RESPONSES",
    "BBox",
    "Candidate",
    "DetectResponse",
    "EnrollResponse",
    "EnrolledFace",
    "ErrorDetail",
    "ErrorResponse",
    "Face",
    "FaceList",
    "Health",
    "IdentifiedFace",
    "IdentifyResponse",
    "Info",
    "Quality",
    "QualityCheck",
    "Ready",
    "ReindexResponse",
    "VerifyResponse",
]
