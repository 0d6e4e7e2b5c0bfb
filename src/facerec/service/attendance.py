"""Attendance from a photo: identify every face, give faces to people jointly (each person once),
mark the matched people present, queue the doubtful faces for a person to confirm.

Marking is idempotent per person, date and session: a photo sent twice adds nothing, and a photo
never changes a record that already exists (a mark set by hand stands). All rows of one photo are
written in one transaction. Every face is logged to FaceRecognitionLogs (operation ``attendance``).
Imports the engine, store and index layers; nothing of the web.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from facerec.config import Settings
from facerec.domain import (
    AttendanceRecord,
    AttendanceReview,
    AttendanceSession,
    AttendanceSource,
    AttendanceStatus,
    Candidate,
    Decision,
    DecisionRule,
    DetectedFace,
    EmbeddedFace,
    FaceQuality,
    LogOperation,
    LogResult,
    Marked,
)
from facerec.errors import InvalidInput
from facerec.service.assignment import Assigned, assign
from facerec.service.faces import clean_class_name
from facerec.service.recognition import search_faces
from facerec.service.recognition_log import RecognitionLog
from facerec.service.recognizer import Recognizer
from facerec.store import attendance as records
from facerec.store import people, reviews
from facerec.store.attendance import RecordValues
from facerec.store.db import Database
from facerec.store.logs import LogEntry

# Candidates per face given to the assignment: enough for the runner-up of every look-alike group.
ASSIGN_TOP_K = 10
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:/-]{0,63}$")


def today(settings: Settings) -> date:
    """Today in the configured time zone (the server's own when none is set)."""
    zone = ZoneInfo(settings.timezone) if settings.timezone else None
    return datetime.now(zone).date()


def attendance_session(
    settings: Settings,
    *,
    on: date | None,
    session_id: str | None,
    class_name: str | None,
) -> AttendanceSession:
    """Validate a request's session: the date (today when not given), the session id ("" means the
    whole day) and the class."""
    session_id = (session_id or "").strip()
    if session_id and not SESSION_ID_PATTERN.match(session_id):
        raise InvalidInput(
            "session_id must be 1 to 64 characters: letters, digits and _ . @ : / - "
            "(starting with a letter or digit)"
        )
    return AttendanceSession(
        date=on or today(settings),
        session_id=session_id,
        class_name=clean_class_name(class_name),
    )


@dataclass(frozen=True)
class PresentFace:
    face: DetectedFace
    quality: FaceQuality
    similarity: float
    record: AttendanceRecord
    marked: Marked


@dataclass(frozen=True)
class ReviewFace:
    face: DetectedFace
    quality: FaceQuality
    review: AttendanceReview
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class UnknownFace:
    face: DetectedFace
    quality: FaceQuality
    best_similarity: float | None


@dataclass(frozen=True)
class AttendanceResult:
    session: AttendanceSession
    source: AttendanceSource
    present: list[PresentFace]
    needs_review: list[ReviewFace]
    unknown: list[UnknownFace]
    rule: DecisionRule

    @property
    def faces_found(self) -> int:
        return len(self.present) + len(self.needs_review) + len(self.unknown)


def take_attendance(
    recognizer: Recognizer,
    *,
    image: bytes,
    attendance: AttendanceSession,
    source: AttendanceSource,
    threshold: float | None,
    client: str | None,
) -> AttendanceResult:
    """Mark everyone recognised in ``image`` present for ``attendance``."""
    if source is AttendanceSource.MANUAL:
        raise InvalidInput("a photo's source is photo or kiosk; manual marks have their own route")
    rule = recognizer.decision_rule(threshold)
    log = recognizer.log(LogOperation.ATTENDANCE, threshold=rule.threshold, client=client)
    embedded, candidates = search_faces(recognizer, log, image, top_k=ASSIGN_TOP_K)
    assigned = assign(candidates, rule)
    entries = [
        log.entry(
            LogResult(a.decision.value),
            # The person's own score where the face was given one (perhaps its second best).
            similarity=a.match.similarity if a.match else (c[0].similarity if c else None),
            person=a.match.person if a.match else None,
            face_id=a.match.face_id if a.match else None,
        )
        for a, c in zip(assigned, candidates, strict=True)
    ]
    return _record(
        recognizer.database,
        embedded,
        candidates,
        assigned,
        attendance=attendance,
        source=source,
        rule=rule,
        log=log,
        entries=entries or [log.entry(LogResult.NO_FACE_FOUND)],
    )


def _record(
    database: Database,
    embedded: list[EmbeddedFace],
    candidates: list[list[Candidate]],
    assigned: list[Assigned],
    *,
    attendance: AttendanceSession,
    source: AttendanceSource,
    rule: DecisionRule,
    log: RecognitionLog,
    entries: list[LogEntry],
) -> AttendanceResult:
    """Write the photo's records, reviews and log rows in one transaction."""
    present: list[PresentFace] = []
    to_review: list[ReviewFace] = []
    unknown: list[UnknownFace] = []
    with database.session() as session:
        for face, found, result in zip(embedded, candidates, assigned, strict=True):
            if result.match is None:
                best = found[0].similarity if found else None  # before the assignment
                unknown.append(UnknownFace(face.face, face.quality, best))
                continue
            person = people.get_person(session, ref=result.match.person)
            # The record notes the session's class, or else the person's own.
            noted = AttendanceSession(
                attendance.date, attendance.session_id, attendance.class_name or person.class_name
            )
            if result.decision is Decision.MATCH:
                values = RecordValues(
                    status=AttendanceStatus.PRESENT,
                    confidence=round(result.match.similarity, 4),
                    source=source,
                    recorded_by=None,
                )
                record, created = records.add_record_if_absent(
                    session, ref=person.ref, attendance=noted, values=values
                )
                marked = (
                    Marked.NEW
                    if created
                    else Marked.ALREADY_PRESENT
                    if record.status is AttendanceStatus.PRESENT
                    else Marked.KEPT_ABSENT
                )
                present.append(
                    PresentFace(face.face, face.quality, result.match.similarity, record, marked)
                )
            else:
                review = reviews.add_review_if_absent(
                    session,
                    ref=person.ref,
                    attendance=noted,
                    similarity=round(result.match.similarity, 4),
                    bbox=face.face.bbox,
                    source=source,
                )
                to_review.append(ReviewFace(face.face, face.quality, review, result.candidates))
        log.add(session, entries)
    return AttendanceResult(
        session=attendance,
        source=source,
        present=present,
        needs_review=to_review,
        unknown=unknown,
        rule=rule,
    )
