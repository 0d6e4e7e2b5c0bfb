"""Who a row belongs to. FaceData, AttendanceRecords, AttendanceReviews and AttendanceChanges name
their person with two columns, StudentID and TeacherID (the organisation's schema), exactly one of them set;
the attendance tables add PersonKey ("student:S-001") so that a unique key can cover the person.
Imports SQLAlchemy, the tables and the domain types only.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from facerec.domain import PersonRef, PersonType
from facerec.store.tables import Student, Teacher

Row = TypeVar("Row")


def person_key(ref: PersonRef) -> str:
    """The one-column form of a person used by unique keys: ``student:S-001``."""
    return f"{ref.person_type.value}:{ref.person_id}"


def owner_values(ref: PersonRef) -> dict[str, str | None]:
    """The StudentID and TeacherID values of a row that belongs to ``ref``."""
    student = ref.person_type is PersonType.STUDENT
    return {
        "StudentID": ref.person_id if student else None,
        "TeacherID": None if student else ref.person_id,
    }


def owner_ref(student_id: str | None, teacher_id: str | None) -> PersonRef:
    """The person a row's StudentID and TeacherID name (exactly one is set)."""
    if student_id is not None:
        return PersonRef(PersonType.STUDENT, student_id)
    assert teacher_id is not None  # guaranteed by the writers (and a check constraint on FaceData)
    return PersonRef(PersonType.TEACHER, teacher_id)


def owner_column(table: type[Any], person_type: PersonType) -> Any:
    """The column of ``table`` that names this kind of person."""
    return table.StudentID if person_type is PersonType.STUDENT else table.TeacherID


def with_owner_name(table: type[Row]) -> Select[Row, str]:
    """Rows of ``table`` and their person's name, as ``person_name`` (None when it has none)."""
    owner: Any = table
    return (
        select(table, func.coalesce(Student.Name, Teacher.Name).label("person_name"))
        .outerjoin(Student, Student.StudentID == owner.StudentID)
        .outerjoin(Teacher, Teacher.TeacherID == owner.TeacherID)
    )
