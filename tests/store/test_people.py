"""store/people.py on its own, on SQLite and MariaDB: create, read, list (search, filters, paging),
class members, partial updates, delete with the person's faces and attendance, ensure_person."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from facerec.domain import UNSET, PersonChanges, PersonRef, PersonType
from facerec.errors import PersonExists, PersonNotFound
from facerec.store import people, tables
from facerec.store import repositories as repo
from facerec.store.db import Database
from facerec.store.owners import owner_values, person_key
from tests.conftest import new_face

STUDENT = PersonType.STUDENT
TEACHER = PersonType.TEACHER


def add(
    session: Session,
    kind: PersonType,
    person_id: str,
    name: str | None = None,
    class_name: str | None = None,
    active: bool = True,
) -> None:
    people.create_person(
        session,
        ref=PersonRef(kind, person_id),
        name=name,
        class_name=class_name,
        active=active,
    )


def add_face(session: Session, ref: PersonRef) -> int:
    record = repo.add_face(session, face=new_face(ref))
    return int(record.face_id)


def search(session: Session, text: str, kind: PersonType = STUDENT) -> list[str]:
    found, total = people.list_people(
        session, person_type=kind, search=text, class_name=None, active=None, limit=100, offset=0
    )
    assert total == len(found)
    return [p.ref.person_id for p in found]


def test_create_get_and_update(database: Database) -> None:
    ref = PersonRef(STUDENT, "S-1")
    with database.session() as session:
        created = people.create_person(session, ref=ref, name="Ada", class_name="7A", active=True)
        assert (created.ref, created.name, created.class_name, created.active) == (
            ref,
            "Ada",
            "7A",
            True,
        )
        assert created.face_count == 0 and created.updated_at is None
        with pytest.raises(PersonExists):
            people.create_person(session, ref=ref, name="Other", class_name=None, active=True)
    with database.session() as session:
        assert people.get_person(session, ref=ref).name == "Ada"
        assert people.person_exists(session, ref=ref)
        assert not people.person_exists(session, ref=PersonRef(TEACHER, "S-1"))
        with pytest.raises(PersonNotFound):
            people.get_person(session, ref=PersonRef(TEACHER, "S-1"))

        same = people.update_person(session, ref=ref, changes=PersonChanges())
        assert (same.name, same.class_name, same.updated_at) == ("Ada", "7A", None)
        moved = people.update_person(session, ref=ref, changes=PersonChanges(class_name="8B"))
        assert (moved.name, moved.class_name, moved.active) == ("Ada", "8B", True)
        assert moved.updated_at is not None
        off = people.update_person(
            session, ref=ref, changes=PersonChanges(name=None, class_name=UNSET, active=False)
        )
        assert (off.name, off.class_name, off.active) == (None, "8B", False)
        with pytest.raises(PersonNotFound):
            people.update_person(
                session, ref=PersonRef(STUDENT, "nobody"), changes=PersonChanges(name="x")
            )
    with database.session() as session:
        row = session.get(tables.Student, "S-1")
        assert row is not None and (row.Name, row.ClassName, row.Active) == (None, "8B", False)


def test_face_count_counts_the_person_s_own_faces(database: Database) -> None:
    with database.session() as session:
        add(session, STUDENT, "X")
        add(session, TEACHER, "X")
        for _ in range(3):
            add_face(session, PersonRef(STUDENT, "X"))
        add_face(session, PersonRef(TEACHER, "X"))
    with database.session() as session:
        assert people.get_person(session, ref=PersonRef(STUDENT, "X")).face_count == 3
        assert people.get_person(session, ref=PersonRef(TEACHER, "X")).face_count == 1


def test_search_treats_like_wildcards_and_backslash_as_text(database: Database) -> None:
    with database.session() as session:
        for person_id, name in [
            ("A-1", "100% sure"),
            ("A-2", "1000 sure"),
            ("A-3", "under_score"),
            ("A-4", "underXscore"),
            ("A-5", "back\\slash"),
            ("A-6", "Élodie Durand"),
        ]:
            add(session, STUDENT, person_id, name=name)
    with database.session() as session:
        assert search(session, "%") == ["A-1"]
        assert search(session, "0%") == ["A-1"]
        assert search(session, "_") == ["A-3"]
        assert search(session, "r_s") == ["A-3"]
        assert search(session, "\\") == ["A-5"]
        assert search(session, "k\\s") == ["A-5"]
        assert search(session, "SURE") == ["A-1", "A-2"]
        assert search(session, "a-") == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
        # As stored, and in another case, accented capitals included (on SQLite too).
        assert search(session, "Élodie") == ["A-6"]
        assert search(session, "ÉLODIE durand") == ["A-6"]
        assert search(session, "élodie") == ["A-6"]
        assert search(session, "nobody") == []
        assert search(session, "sure", kind=TEACHER) == []


def test_list_filters_and_pages(database: Database) -> None:
    with database.session() as session:
        for i in range(7):
            add(
                session,
                STUDENT,
                f"S-{i}",
                class_name="7A" if i % 2 else "7B",
                active=i != 3,
            )

    def page(**filters: object) -> tuple[list[str], int]:
        query: dict[str, object] = {
            "search": None,
            "class_name": None,
            "active": None,
            "limit": 100,
            "offset": 0,
        }
        query.update(filters)
        with database.session() as session:
            found, total = people.list_people(session, person_type=STUDENT, **query)
        return [p.ref.person_id for p in found], total

    assert page() == ([f"S-{i}" for i in range(7)], 7)
    assert page(limit=3, offset=2) == (["S-2", "S-3", "S-4"], 7)
    assert page(class_name="7A") == (["S-1", "S-3", "S-5"], 3)
    assert page(class_name="7A", active=True) == (["S-1", "S-5"], 2)
    assert page(active=False) == (["S-3"], 1)
    assert page(active=True, limit=2, offset=4) == (["S-5", "S-6"], 6)
    assert page(search="s-", class_name="7B", offset=1) == (["S-2", "S-4", "S-6"], 4)


def test_class_members_are_the_active_students_of_the_class_by_id(database: Database) -> None:
    with database.session() as session:
        add(session, STUDENT, "S-30", class_name="7A")
        add(session, STUDENT, "S-10", class_name="7A")
        add(session, STUDENT, "S-20", class_name="7A", active=False)
        add(session, STUDENT, "S-05", class_name="7B")
        add(session, STUDENT, "S-40")
        add(session, TEACHER, "T-1", class_name="7A")

    def members(class_name: str) -> list[PersonRef]:
        return [p.ref for p in people.class_members(session, class_name=class_name)]

    with database.session() as session:
        assert members("7A") == [PersonRef(STUDENT, "S-10"), PersonRef(STUDENT, "S-30")]
        assert members("7B") == [PersonRef(STUDENT, "S-05")]
        assert members("9Z") == []
        people.update_person(
            session, ref=PersonRef(STUDENT, "S-20"), changes=PersonChanges(active=True)
        )
        assert [r.person_id for r in members("7A")] == ["S-10", "S-20", "S-30"]


def _attendance(ref: PersonRef, day: int) -> list[object]:
    """A record, a review and a change for the person on that day, as rows."""
    owner = {**owner_values(ref), "PersonKey": person_key(ref)}
    when = date(2024, 9, day)
    at = datetime(2024, 9, day, 8, 0)
    return [
        tables.AttendanceRecords(
            **owner,
            AttendanceDate=when,
            SessionID="",
            RecordedAt=at,
            Status="present",
            Source="photo",
        ),
        tables.AttendanceReviews(
            **owner,
            AttendanceDate=when,
            SessionID="",
            Similarity=0.27,
            BBox=[1, 2, 3, 4],
            Source="photo",
            Status="pending",
            CreatedAt=at,
        ),
        tables.AttendanceChanges(
            **owner,
            AttendanceDate=when,
            SessionID="",
            Action="mark_present",
            ChangedBy="office",
            ChangedAt=at,
        ),
    ]


def test_delete_person_removes_that_person_s_faces_and_attendance_only(
    database: Database,
) -> None:
    doomed = PersonRef(STUDENT, "P-1")
    with database.session() as session:
        add(session, STUDENT, "P-1")
        add(session, STUDENT, "P-2")
        add(session, TEACHER, "P-1")  # the same id, another person
        doomed_faces = [add_face(session, doomed), add_face(session, doomed)]
        kept_faces = [
            add_face(session, PersonRef(STUDENT, "P-2")),
            add_face(session, PersonRef(TEACHER, "P-1")),
        ]
        for day in (2, 3):
            session.add_all(_attendance(doomed, day))
        session.add_all(_attendance(PersonRef(STUDENT, "P-2"), 2))
        session.add_all(_attendance(PersonRef(TEACHER, "P-1"), 2))

    with database.session() as session:
        erased = people.delete_person(session, ref=doomed)
    assert erased.faces == len(doomed_faces)
    assert erased.attendance_records == 2

    with database.session() as session:
        assert not people.person_exists(session, ref=doomed)
        assert session.scalars(select(tables.Student.StudentID)).all() == ["P-2"]
        assert session.scalars(select(tables.Teacher.TeacherID)).all() == ["P-1"]
        assert sorted(session.scalars(select(tables.FaceData.FaceID))) == sorted(kept_faces)
        for table in (tables.AttendanceRecords, tables.AttendanceReviews, tables.AttendanceChanges):
            left = session.execute(select(table.StudentID, table.TeacherID)).all()
            assert sorted(left, key=str) == sorted([("P-2", None), (None, "P-1")], key=str)
        with pytest.raises(PersonNotFound):
            people.delete_person(session, ref=doomed)

    with database.session() as session:
        erased = people.delete_person(session, ref=PersonRef(TEACHER, "P-1"))
    assert (erased.faces, erased.attendance_records) == (1, 1)


def test_ensure_person_creates_once_and_fills_given_fields(database: Database) -> None:
    ref = PersonRef(TEACHER, "T-1")
    with database.session() as session:
        made = people.ensure_person(session, ref=ref, name="Ms T", class_name="7A")
        assert (made.name, made.class_name, made.active) == ("Ms T", "7A", True)
    with database.session() as session:
        people.update_person(session, ref=ref, changes=PersonChanges(active=False))
        again = people.ensure_person(session, ref=ref, name=None)
        assert (again.name, again.class_name, again.active) == ("Ms T", "7A", False)
        renamed = people.ensure_person(session, ref=ref, name="Mrs T")
        assert (renamed.name, renamed.class_name) == ("Mrs T", "7A")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(tables.Teacher)) == 1


def test_person_ids_compare_exactly_on_every_database(database: Database) -> None:
    """'ABC' is not 'abc' (binary collation on MariaDB, as in SQLite and the index): a second
    person, and the stored spelling of the first never changes."""
    with database.session() as session:
        add(session, STUDENT, "abc", name="Lower")
    with database.session() as session:
        people.ensure_person(session, ref=PersonRef(STUDENT, "ABC"), name="Upper")
    with database.session() as session:
        names = {
            i: n for i, n in session.execute(select(tables.Student.StudentID, tables.Student.Name))
        }
    assert names == {"abc": "Lower", "ABC": "Upper"}
