"""Students and teachers: create, read, list with search and paging, update, delete.

Keyword-only arguments; the caller owns the session and its transaction. Imports SQLAlchemy, the
tables and the domain types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from facerec.domain import Person, PersonChanges, PersonRef, PersonType, Unset
from facerec.errors import PersonExists, PersonNotFound
from facerec.store import changes as index_changes
from facerec.store.clock import utcnow
from facerec.store.dialect import insert_if_absent
from facerec.store.owners import owner_column
from facerec.store.tables import (
    AttendanceChanges,
    AttendanceRecords,
    AttendanceReviews,
    FaceData,
    Student,
    Teacher,
)


def create_person(
    session: Session, *, ref: PersonRef, name: str | None, class_name: str | None, active: bool
) -> Person:
    table = _table(ref.person_type)
    if session.get(table, ref.person_id) is not None:
        raise PersonExists(f"{ref.person_type.value} {ref.person_id} already exists")
    row = table(Name=name, ClassName=class_name, Active=active, CreatedAt=utcnow())
    setattr(row, _key(ref.person_type).key, ref.person_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # created by a concurrent request since the check above
        raise PersonExists(f"{ref.person_type.value} {ref.person_id} already exists") from None
    return get_person(session, ref=ref)


def get_person(session: Session, *, ref: PersonRef) -> Person:
    found = session.execute(
        _person_statement(ref.person_type), {"person_id": ref.person_id}
    ).one_or_none()
    if found is None:
        raise PersonNotFound(f"{ref.person_type.value} {ref.person_id} does not exist")
    return _person(ref.person_type, found)


def person_exists(session: Session, *, ref: PersonRef) -> bool:
    return session.get(_table(ref.person_type), ref.person_id) is not None


def list_people(
    session: Session,
    *,
    person_type: PersonType,
    search: str | None,
    class_name: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[Person], int]:
    """People of one kind ordered by id, filtered; ``search`` matches a part of the id or the name,
    ignoring case. Returns the page and the total."""
    table = _table(person_type)
    key = _key(person_type)
    query = _people_query(person_type)
    if search:
        # Lowered by the database, like the columns (db.py gives SQLite a Unicode lower()).
        pattern = func.lower(f"%{_escape_like(search)}%")
        query = query.where(
            or_(
                func.lower(key).like(pattern, escape="\\"),
                func.lower(table.Name).like(pattern, escape="\\"),
            )
        )
    if class_name is not None:
        query = query.where(table.ClassName == class_name)
    if active is not None:
        query = query.where(table.Active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(key).limit(limit).offset(offset))
    return [_person(person_type, row) for row in rows], int(total)


def class_members(session: Session, *, class_name: str) -> list[Person]:
    """The active students of a class, ordered by id (one query)."""
    rows = session.execute(
        _people_query(PersonType.STUDENT)
        .where(Student.ClassName == class_name)
        .where(Student.Active.is_(True))
        .order_by(Student.StudentID)
    )
    return [_person(PersonType.STUDENT, row) for row in rows]


def update_person(session: Session, *, ref: PersonRef, changes: PersonChanges) -> Person:
    values: dict[str, Any] = {}
    if not isinstance(changes.name, Unset):
        values["Name"] = changes.name
    if not isinstance(changes.class_name, Unset):
        values["ClassName"] = changes.class_name
    if not isinstance(changes.active, Unset):
        values["Active"] = changes.active
    if not person_exists(session, ref=ref):
        raise PersonNotFound(f"{ref.person_type.value} {ref.person_id} does not exist")
    if values:
        table = _table(ref.person_type)
        session.execute(
            update(table)
            .where(_key(ref.person_type) == ref.person_id)
            .values(**values, UpdatedAt=utcnow())
        )
    if "Active" in values:  # other processes take the faces out of their index, or put them back
        action = index_changes.ADD if values["Active"] else index_changes.REMOVE
        index_changes.mark_faces_of(session, ref=ref, action=action)
    return get_person(session, ref=ref)


@dataclass(frozen=True)
class Erased:
    faces: int
    attendance_records: int


def delete_person(session: Session, *, ref: PersonRef) -> Erased:
    """Delete the person with their faces (images and embeddings), attendance records, reviews and
    attendance changes. Explicit deletes rather than trusting every database's ON DELETE CASCADE."""
    if not person_exists(session, ref=ref):
        raise PersonNotFound(f"{ref.person_type.value} {ref.person_id} does not exist")

    def owned(table: type[Any]) -> Any:
        return owner_column(table, ref.person_type) == ref.person_id

    index_changes.mark_faces_of(session, ref=ref, action=index_changes.REMOVE)
    deleted = {
        table: _rowcount(session.execute(delete(table).where(owned(table))))
        for table in (FaceData, AttendanceRecords, AttendanceReviews, AttendanceChanges)
    }
    session.execute(delete(_table(ref.person_type)).where(_key(ref.person_type) == ref.person_id))
    return Erased(faces=deleted[FaceData], attendance_records=deleted[AttendanceRecords])


def _rowcount(result: Any) -> int:
    """Rows a DELETE or UPDATE touched."""
    return int(result.rowcount or 0)


def ensure_person(
    session: Session, *, ref: PersonRef, name: str | None, class_name: str | None = None
) -> Person:
    """The person's row, created when missing; a given name or class fills or replaces the stored one.

    Race-free: two requests creating the same new person both succeed, with one row.
    """
    table, key = _table(ref.person_type), _key(ref.person_type)
    created_at = utcnow()
    row: dict[str, object] = {
        key.key: ref.person_id,
        "Name": name,
        "ClassName": class_name,
        "CreatedAt": created_at,
    }
    if insert_if_absent(session, table, row):
        # New (known on SQLite; MySQL reads the row back below): the row is what was just
        # written, so one statement, not two or three, for each new person enrolled.
        return Person(
            ref=ref,
            name=name,
            class_name=class_name,
            active=True,
            created_at=created_at,
            updated_at=None,
            face_count=0,
        )
    values = {
        column: value
        for column, value in (("Name", name), ("ClassName", class_name))
        if value is not None
    }
    if values:
        session.execute(update(table).where(key == ref.person_id).values(**values))
    return get_person(session, ref=ref)


# Helpers --------------------------------------------------------------------------------------------


def _table(person_type: PersonType) -> type[Student] | type[Teacher]:
    return Student if person_type is PersonType.STUDENT else Teacher


def _key(person_type: PersonType):  # type: ignore[no-untyped-def]
    return Student.StudentID if person_type is PersonType.STUDENT else Teacher.TeacherID


def _people_query(person_type: PersonType) -> Select[Any]:
    table = _table(person_type)
    key = _key(person_type)
    owner = owner_column(FaceData, person_type)
    # Correlated, so that one person's count reads their rows by the owner index, not all faces.
    face_count = select(func.count()).select_from(FaceData).where(owner == key).scalar_subquery()
    return select(
        key.label("person_id"),
        table.Name,
        table.ClassName,
        table.Active,
        table.CreatedAt,
        table.UpdatedAt,
        face_count.label("face_count"),
    )


@cache
def _person_statement(person_type: PersonType) -> Select[Any]:
    """One person by id, built once per kind: every enrollment reads its person, and building the
    statement (with its correlated count) cost more than running it."""
    return _people_query(person_type).where(_key(person_type) == bindparam("person_id"))


def _person(person_type: PersonType, row: Any) -> Person:
    return Person(
        ref=PersonRef(person_type, row.person_id),
        name=row.Name,
        class_name=row.ClassName,
        active=bool(row.Active),
        created_at=row.CreatedAt,
        updated_at=row.UpdatedAt,
        face_count=int(row.face_count),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
