"""The JSON shapes the API answers and the CLI prints (pydantic), and their conversion from domain and
service objects. One module per family; everything is re-exported here, so callers write
``views.EnrollResponse``. Imports the domain and the service's result types; nothing of the web, the
database or the models."""

from __future__ import annotations

from facerec.views.attendance import (
    Absentee,
    AbsenteeList,
    Actor,
    AttendanceResponse,
    AttendanceSession,
    Change,
    Confirmation,
    ConfirmRequest,
    History,
    MarkRequest,
    PresentFace,
    Record,
    Review,
    ReviewFace,
    UnknownFace,
)
from facerec.views.batch import BatchItemResult, BatchResponse, BatchTotals
from facerec.views.common import (
    BBox,
    Candidate,
    DetectResponse,
    EnrolledFace,
    EnrollResponse,
    ErrorDetail,
    ErrorResponse,
    Face,
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
from facerec.views.logs import Log, LogPruneResponse, LogQuery
from facerec.views.page import Page
from facerec.views.people import Erasure, Person, PersonCreate, PersonUpdate

__all__ = [
    "Absentee",
    "AbsenteeList",
    "Actor",
    "AttendanceResponse",
    "AttendanceSession",
    "BBox",
    "BatchItemResult",
    "BatchResponse",
    "BatchTotals",
    "Candidate",
    "Change",
    "ConfirmRequest",
    "Confirmation",
    "DetectResponse",
    "EnrollResponse",
    "EnrolledFace",
    "Erasure",
    "ErrorDetail",
    "ErrorResponse",
    "Face",
    "Health",
    "History",
    "IdentifiedFace",
    "IdentifyResponse",
    "Info",
    "Log",
    "LogPruneResponse",
    "LogQuery",
    "MarkRequest",
    "Page",
    "Person",
    "PersonCreate",
    "PersonUpdate",
    "PresentFace",
    "Quality",
    "QualityCheck",
    "Ready",
    "Record",
    "ReindexResponse",
    "Review",
    "ReviewFace",
    "UnknownFace",
    "VerifyResponse",
]
