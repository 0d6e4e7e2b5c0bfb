"""Use cases on enrolled faces: enroll (with the quality gate and the duplicate check), read, list,
delete.

The database is written and committed first, then the index is updated. Imports the engine, store and
index layers; nothing of the web.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import Future
from dataclasses import asdict, dataclass

from facerec.domain import (
    Candidate,
    Enrollment,
    FaceRecord,
    LogOperation,
    LogResult,
    Page,
    Paging,
    Person,
    PersonRef,
    PersonType,
    Vector,
)
from facerec.errors import DuplicateFace, FacerecError, InvalidInput, PoorQuality
from facerec.index.factory import SearchIndex
from facerec.service.paging import paged
from facerec.service.quality import assess
from facerec.service.recognition_log import RecognitionLog
from facerec.service.recognizer import LargestFace, Recognizer
from facerec.store import people
from facerec.store import repositories as repo
from facerec.store.db import Database

PERSON_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}$")
NAME_MAX_CHARS = 255
CLASS_NAME_MAX_CHARS = 64


def person_type_of(value: str) -> PersonType:
    try:
        return PersonType(value)
    except ValueError:
        raise InvalidInput("person_type must be 'student' or 'teacher'") from None


def person_ref(person_type: str, person_id: str) -> PersonRef:
    """Validate and build a person reference from request values."""
    kind = person_type_of(person_type)
    if not PERSON_ID_PATTERN.match(person_id):
        raise InvalidInput(
            "person_id must be 1 to 64 characters: letters, digits and _ . @ : - "
            "(starting with a letter or digit)"
        )
    return PersonRef(kind, person_id)


@dataclass(frozen=True)
class PersonFilter:
    """A query's person filter: one person, one kind of person, or everyone (both None)."""

    person: PersonRef | None
    person_type: PersonType | None


def person_filter(person_type: str | None, person_id: str | None) -> PersonFilter:
    """Validate a query's ``person_type`` and ``person_id``; an id needs its type."""
    if person_id is not None:
        if person_type is None:
            raise InvalidInput("person_id needs person_type (student or teacher)")
        ref = person_ref(person_type, person_id)
        return PersonFilter(person=ref, person_type=ref.person_type)
    return PersonFilter(
        person=None, person_type=person_type_of(person_type) if person_type is not None else None
    )


@dataclass(frozen=True)
class Overrides:
    """What an operator may explicitly accept at enrollment."""

    poor_quality: bool = False
    duplicate: bool = False


def enroll(
    recognizer: Recognizer,
    *,
    image: bytes,
    ref: PersonRef,
    name: str | None,
    class_name: str | None = None,
    overrides: Overrides = Overrides(),
    client: str | None = None,
) -> Enrollment:
    """Store the largest face of ``image`` for the person (created when new) and index it.

    Refused unless overridden: a face that fails the quality gate (``PoorQuality``, with its reasons),
    and a face that already matches another person at the threshold (``DuplicateFace``, naming them).
    Every attempt, refused or not, is written to FaceRecognitionLogs (operation ``enroll``).
    """
    log = recognizer.log(LogOperation.ENROLL, threshold=None, client=client)
    try:
        return _enroll(
            recognizer,
            image=image,
            ref=ref,
            name=name,
            class_name=class_name,
            overrides=overrides,
            log=log,
        )
    except FacerecError as exc:
        log.write([log.entry(LogResult(exc.code), person=ref)])
        raise


def clean_name(name: str | None) -> str | None:
    return _clean_text(name, field="name", max_chars=NAME_MAX_CHARS)


def clean_class_name(class_name: str | None) -> str | None:
    return _clean_text(class_name, field="class_name", max_chars=CLASS_NAME_MAX_CHARS)


def _clean_text(value: str | None, *, field: str, max_chars: int) -> str | None:
    """``value`` stripped (None when blank), refused when longer than ``max_chars``."""
    if value is None:
        return None
    value = value.strip() or None
    if value is not None and len(value) > max_chars:
        raise InvalidInput(f"{field} is longer than {max_chars} characters")
    return value


def _enroll(
    recognizer: Recognizer,
    *,
    image: bytes,
    ref: PersonRef,
    name: str | None,
    class_name: str | None,
    overrides: Overrides,
    log: RecognitionLog,
) -> Enrollment:
    name = clean_name(name)
    class_name = clean_class_name(class_name)
    caught_up = recognizer.start_catch_up()  # beside the compute, for the duplicate check
    largest = recognizer.largest_face(image)
    check = assess(largest.face.quality, recognizer.quality_limits, other_faces=largest.others)
    if not check.passed and not overrides.poor_quality:
        codes = ", ".join(r.value for r in check.reasons)
        raise PoorQuality(
            f"the face is not good enough to enrol ({codes}); take a better photo, or set "
            "allow_poor_quality to enrol it anyway",
            details={"reasons": [r.value for r in check.reasons], "quality": asdict(check.quality)},
        )
    duplicate = _matching_other_person(recognizer, largest.face.embedding, ref, caught_up)
    if duplicate is not None and not overrides.duplicate:
        other = duplicate.person
        raise DuplicateFace(
            f"this face already matches {other.person_type.value} {other.person_id} "
            f"(similarity {duplicate.similarity:.3f}); set allow_duplicate to enrol it anyway",
            details={
                "person_type": other.person_type.value,
                "person_id": other.person_id,
                "face_id": duplicate.face_id,
                "similarity": round(duplicate.similarity, 4),
            },
        )
    similarity = duplicate.similarity if duplicate else None
    person, record = write_enrollment(
        recognizer,
        ref=ref,
        name=name,
        class_name=class_name,
        image=image,
        largest=largest,
        similarity=similarity,
        log=log,
    )
    if person.active:  # an inactive person's faces are stored, not searched
        recognizer.index.add(record.face_id, ref, largest.face.embedding)
    return Enrollment(
        record=record,
        faces_in_image=largest.faces_found,
        quality=check,
        closest_other=duplicate,
    )


def write_enrollment(
    recognizer: Recognizer,
    *,
    ref: PersonRef,
    name: str | None,
    class_name: str | None,
    image: bytes,
    largest: LargestFace,
    similarity: float | None,
    log: RecognitionLog,
) -> tuple[Person, FaceRecord]:
    """One transaction: the person (created when new), the face (with its image and change row) and
    the log row. Measured alone and right after the model by ``bench/enroll_write.py``."""
    with recognizer.database.session() as session:
        person = people.ensure_person(session, ref=ref, name=name, class_name=class_name)
        record = repo.add_face(
            session,
            face=repo.NewFace(
                ref=ref,
                embedding=largest.face.embedding,
                image=image,
                image_mime=largest.image.mime,
                image_sha256=hashlib.sha256(image).hexdigest(),
                bbox=largest.face.face.bbox,
                det_score=largest.face.face.score,
                model_pack=recognizer.model_pack,
            ),
        )
        entry = log.entry(
            LogResult.ENROLLED, similarity=similarity, person=ref, face_id=record.face_id
        )
        log.add(session, [entry])
    return person, record


def _matching_other_person(
    recognizer: Recognizer, embedding: Vector, ref: PersonRef, caught_up: Future[None]
) -> Candidate | None:
    """The closest person other than ``ref`` when they score at or above the threshold."""
    # Two people, so that one of them is not ref.
    for candidate in recognizer.search(embedding, top_k=2, caught_up=caught_up):
        if candidate.person != ref:
            return candidate if candidate.similarity >= recognizer.default_threshold else None
    return None


def get_face(database: Database, *, face_id: int) -> FaceRecord:
    with database.session() as session:
        return repo.get_face(session, face_id=face_id)


def get_face_image(database: Database, *, face_id: int) -> tuple[bytes, str]:
    with database.session() as session:
        return repo.get_face_image(session, face_id=face_id)


def list_faces(
    database: Database, *, person_type: str | None, person_id: str | None, paging: Paging
) -> Page[FaceRecord]:
    chosen = person_filter(person_type, person_id)
    return paged(
        database, paging, repo.list_faces, ref=chosen.person, person_type=chosen.person_type
    )


def list_person_faces(database: Database, *, ref: PersonRef, paging: Paging) -> Page[FaceRecord]:
    """One person's faces; ``PersonNotFound`` when there is no such person."""
    with database.session() as session:
        people.get_person(session, ref=ref)
    return paged(database, paging, repo.list_faces, ref=ref, person_type=ref.person_type)


def delete_face(database: Database, index: SearchIndex, *, face_id: int) -> FaceRecord:
    with database.session() as session:
        record = repo.delete_face(session, face_id=face_id)
    index.remove(face_id)
    return record
