"""/v1/students and /v1/teachers over the real app, on SQLite and on MariaDB: create, read, list with
search and paging, update, deactivate (out of the index, across a restart), delete with erasure."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from facerec.config import Settings
from facerec.store.tables import (
    AttendanceRecords,
    FaceData,
    FaceRecognitionLogs,
    Student,
    Teacher,
)
from tests.conftest import (
    Facedata,
    add_face,
    assert_error,
    count,
    enroll,
    execute,
    identify,
    rows,
    start_app,
)


def matched(client: TestClient, photo: Path) -> list[tuple[str, str]]:
    """Who identify matches in ``photo``, as (person_type, person_id)."""
    found = identify(client, photo)
    assert found.status_code == 200, found.text
    return [
        (f["match"]["person_type"], f["match"]["person_id"])
        for f in found.json()["faces"]
        if f["match"] is not None
    ]


def logs_naming(settings: Settings, person_type: str, person_id: str) -> int:
    return len(
        rows(
            settings,
            select(FaceRecognitionLogs.LogID)
            .where(FaceRecognitionLogs.PersonType == person_type)
            .where(FaceRecognitionLogs.PersonID == person_id),
        )
    )


def create(client: TestClient, kind: str, person_id: str, **fields: object) -> dict[str, Any]:
    response = client.post(f"/v1/{kind}s", json={"person_id": person_id, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# Create and read -----------------------------------------------------------------------------------


def test_create_and_get_a_student(client: TestClient, settings: Settings) -> None:
    created = create(client, "student", "S-001", name="  Ada Lovelace ", class_name="7B")
    assert created == {
        "person_type": "student",
        "person_id": "S-001",
        "name": "Ada Lovelace",  # trimmed
        "class_name": "7B",
        "active": True,
        "face_count": 0,
        "created_at": created["created_at"],
        "updated_at": None,
    }
    assert created["created_at"].endswith(("Z", "+00:00"))
    assert client.get("/v1/students/S-001").json() == created

    (row,) = rows(settings, select(Student))
    assert (row.StudentID, row.Name, row.ClassName, row.Active) == (
        "S-001",
        "Ada Lovelace",
        "7B",
        1,
    )
    assert count(settings, Teacher) == 0

    inactive = create(client, "teacher", "T-1", name="   ", active=False)
    assert (inactive["person_type"], inactive["name"], inactive["class_name"]) == (
        "teacher",
        None,  # a blank name is no name
        None,
    )
    assert inactive["active"] is False
    (teacher,) = rows(settings, select(Teacher))
    assert (teacher.TeacherID, teacher.Active) == ("T-1", 0)


def test_create_and_get_errors(client: TestClient, settings: Settings) -> None:
    create(client, "student", "S-1", name="First")
    taken = client.post("/v1/students", json={"person_id": "S-1", "name": "Second"})
    assert_error(taken, 409, "person_exists")
    assert client.get("/v1/students/S-1").json()["name"] == "First"  # untouched

    for bad in ["../x", "x" * 65, "", "-leading-dash", "a b", "S/1"]:
        assert_error(client.post("/v1/students", json={"person_id": bad}), 422, "invalid_input")
    assert client.post("/v1/students", json={"person_id": "x" * 64}).status_code == 201
    assert_error(client.post("/v1/students", json={"name": "No Id"}), 422, "invalid_input")
    assert_error(
        client.post("/v1/students", json={"person_id": "S-2", "name": "n" * 256}),
        422,
        "invalid_input",
    )
    assert_error(
        client.post("/v1/students", json={"person_id": "S-2", "class_name": "c" * 65}),
        422,
        "invalid_input",
    )
    assert_error(client.post("/v1/students", content=b"not json"), 422, "invalid_input")
    assert count(settings, Student) == 2  # S-1 and the 64-character id

    assert_error(client.get("/v1/students/nobody"), 404, "person_not_found")
    assert_error(
        client.get("/v1/teachers/S-1"), 404, "person_not_found"
    )  # a student, not a teacher
    assert_error(client.get("/v1/students/a%20b"), 422, "invalid_input")
    assert_error(client.get(f"/v1/students/{'x' * 65}"), 422, "invalid_input")


def test_a_student_and_a_teacher_may_share_an_id(client: TestClient, settings: Settings) -> None:
    create(client, "student", "P-7", name="Pupil")
    create(client, "teacher", "P-7", name="Teacher")
    assert client.get("/v1/students/P-7").json()["name"] == "Pupil"
    assert client.get("/v1/teachers/P-7").json()["name"] == "Teacher"
    assert client.patch("/v1/teachers/P-7", json={"name": "Ms T"}).status_code == 200
    assert client.get("/v1/students/P-7").json()["name"] == "Pupil"
    deleted = client.delete("/v1/students/P-7")
    assert deleted.status_code == 200, deleted.text
    assert_error(client.get("/v1/students/P-7"), 404, "person_not_found")
    assert client.get("/v1/teachers/P-7").json()["name"] == "Ms T"
    assert count(settings, Student) == 0 and count(settings, Teacher) == 1


# List, search and paging ---------------------------------------------------------------------------


def test_list_search_filter_and_page(client: TestClient) -> None:
    for person_id, name, class_name, active in [
        ("S-03", "Charlie Brown", "7A", True),
        ("S-01", "Alice Smith", "7A", True),
        ("S-05", "Eve Brownlow", "7B", False),
        ("S-02", "Bob Stone", "7B", True),
        ("S-04", None, None, True),
        ("X-100", "100% Sure", "8C", True),
        ("X_9", "Under_Score", "8C", True),
    ]:
        create(client, "student", person_id, name=name, class_name=class_name, active=active)
    create(client, "teacher", "S-99", name="Brown Teacher")

    def ids(**params: object) -> tuple[list[str], int]:
        response = client.get("/v1/students", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return [p["person_id"] for p in body["items"]], body["total"]

    everyone = ["S-01", "S-02", "S-03", "S-04", "S-05", "X-100", "X_9"]
    assert ids() == (everyone, 7)  # ordered by id; teachers are not students
    listed = client.get("/v1/students", params={"limit": 2, "offset": 1}).json()
    assert (listed["limit"], listed["offset"], listed["total"]) == (2, 1, 7)
    assert [p["person_id"] for p in listed["items"]] == ["S-02", "S-03"]
    assert ids(limit=3, offset=6) == (["X_9"], 7)
    assert ids(offset=50) == ([], 7)

    assert ids(search="brown") == (["S-03", "S-05"], 2)  # a part of the name, any case
    assert ids(search="BROWN", active="true") == (["S-03"], 1)
    assert ids(search="s-0") == (["S-01", "S-02", "S-03", "S-04", "S-05"], 5)  # a part of the id
    assert ids(search="  stone ") == (["S-02"], 1)
    assert ids(search="nobody") == ([], 0)
    # LIKE's wildcards are plain characters here.
    assert ids(search="%") == (["X-100"], 1)
    assert ids(search="_") == (["X_9"], 1)
    assert ids(search="0% s") == (["X-100"], 1)

    assert ids(class_name="7B") == (["S-02", "S-05"], 2)
    assert ids(class_name="7B", active="false") == (["S-05"], 1)
    assert ids(active="false") == (["S-05"], 1)
    assert ids(active="true", limit=1) == (["S-01"], 6)
    assert ids(class_name="9Z") == ([], 0)

    teachers = client.get("/v1/teachers", params={"search": "brown"}).json()
    assert [p["person_id"] for p in teachers["items"]] == ["S-99"] and teachers["total"] == 1

    for params in [
        {"limit": 0},
        {"limit": 1001},
        {"offset": -1},
        {"active": "maybe"},
        {"search": "x" * 101},
    ]:
        assert_error(client.get("/v1/students", params=params), 422, "invalid_input")


# Update --------------------------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(client: TestClient, settings: Settings) -> None:
    create(client, "student", "S-1", name="Old Name", class_name="7A")

    renamed = client.patch("/v1/students/S-1", json={"name": " New Name "})
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert (body["name"], body["class_name"], body["active"]) == ("New Name", "7A", True)
    assert body["updated_at"] is not None and body["updated_at"].endswith(("Z", "+00:00"))

    moved = client.patch("/v1/students/S-1", json={"class_name": "8A"}).json()
    assert (moved["name"], moved["class_name"]) == ("New Name", "8A")

    unchanged = client.patch("/v1/students/S-1", json={}).json()
    assert unchanged == moved

    cleared = client.patch("/v1/students/S-1", json={"name": None, "class_name": None}).json()
    assert (cleared["name"], cleared["class_name"], cleared["active"]) == (None, None, True)
    (row,) = rows(settings, select(Student))
    assert (row.Name, row.ClassName, row.Active) == (None, None, 1)
    assert row.UpdatedAt is not None

    assert_error(client.patch("/v1/students/nobody", json={"name": "x"}), 404, "person_not_found")
    assert_error(client.patch("/v1/teachers/S-1", json={"name": "x"}), 404, "person_not_found")
    assert_error(client.patch("/v1/students/S-1", json={"name": "n" * 256}), 422, "invalid_input")
    assert_error(
        client.patch("/v1/students/S-1", json={"active": "sometimes"}), 422, "invalid_input"
    )
    assert count(settings, Student) == 1 and count(settings, Teacher) == 0


# Deactivation and the index ------------------------------------------------------------------------


def test_deactivation_hides_from_identify_across_a_restart_and_reactivation_restores(
    settings: Settings, samples: Path
) -> None:
    with TestClient(start_app(settings)) as client:
        create(client, "student", "S-yao", name="Yao Ming")
        added = add_face(client, "student", "S-yao", samples / "yaoming.jpg")
        assert added.status_code == 201, added.text
        assert matched(client, samples / "players.jpg") == [("student", "S-yao")]

        off = client.patch("/v1/students/S-yao", json={"active": False})
        assert off.status_code == 200, off.text
        assert off.json()["active"] is False and off.json()["name"] == "Yao Ming"
        assert client.get("/v1/info").json()["faces_indexed"] == 0
        assert matched(client, samples / "players.jpg") == []

        # A face added while inactive is stored, not searched.
        second = add_face(client, "student", "S-yao", samples / "yaoming.jpg")
        assert second.status_code == 201, second.text
        assert count(settings, FaceData) == 2
        assert client.get("/v1/info").json()["faces_indexed"] == 0
        assert client.get("/v1/students", params={"active": "false"}).json()["total"] == 1

    # A new app on the same database rebuilds its index without inactive people.
    with TestClient(start_app(settings)) as restarted:
        assert restarted.get("/v1/info").json()["faces_indexed"] == 0
        assert matched(restarted, samples / "players.jpg") == []
        person = restarted.get("/v1/students/S-yao").json()
        assert (person["active"], person["face_count"]) == (False, 2)

        on = restarted.patch("/v1/students/S-yao", json={"active": True})
        assert on.status_code == 200 and on.json()["active"] is True
        assert restarted.get("/v1/info").json()["faces_indexed"] == 2
        assert matched(restarted, samples / "players.jpg") == [("student", "S-yao")]
        # Setting the flag it already has changes nothing in the index.
        assert restarted.patch("/v1/students/S-yao", json={"active": True}).status_code == 200
        assert restarted.get("/v1/info").json()["faces_indexed"] == 2

    with TestClient(start_app(settings)) as again:
        assert again.get("/v1/info").json()["faces_indexed"] == 2


def test_deactivating_a_student_leaves_the_teacher_with_the_same_id(
    client: TestClient, samples: Path, facedata: Facedata
) -> None:
    blair = facedata.of_identity("Tony_Blair")
    create(client, "student", "P-1", name="Yao Ming")
    create(client, "teacher", "P-1", name="Tony Blair")
    assert add_face(client, "student", "P-1", samples / "yaoming.jpg").status_code == 201
    assert add_face(client, "teacher", "P-1", blair[0]).status_code == 201
    assert client.get("/v1/info").json()["faces_indexed"] == 2

    assert client.patch("/v1/students/P-1", json={"active": False}).status_code == 200
    assert client.get("/v1/info").json()["faces_indexed"] == 1
    assert matched(client, samples / "players.jpg") == []
    assert ("teacher", "P-1") in matched(client, blair[5])
    assert client.get("/v1/teachers/P-1").json()["active"] is True


# Faces of a person ---------------------------------------------------------------------------------


def test_faces_of_a_person_and_the_face_count(
    client: TestClient, settings: Settings, samples: Path
) -> None:
    create(client, "teacher", "T-1")
    # Nobody of that id and kind: 404, before the image is read, and nothing written.
    for kind, person_id in [("student", "T-1"), ("student", "nobody"), ("teacher", "nobody")]:
        assert_error(
            add_face(client, kind, person_id, samples / "yaoming.jpg"), 404, "person_not_found"
        )
        assert_error(client.get(f"/v1/{kind}s/{person_id}/faces"), 404, "person_not_found")
    assert count(settings, Student) == 0 and count(settings, Teacher) == 1
    assert count(settings, FaceData) == 0 and count(settings, FaceRecognitionLogs) == 0
    assert_error(client.post("/v1/teachers/T-1/faces"), 422, "invalid_input")  # no image

    assert client.get("/v1/teachers/T-1/faces").json() == {
        "items": [],
        "total": 0,
        "limit": 100,
        "offset": 0,
    }
    added = add_face(client, "teacher", "T-1", samples / "yaoming.jpg")
    assert added.status_code == 201, added.text
    face_id = added.json()["face_id"]
    listed = client.get("/v1/teachers/T-1/faces").json()
    assert listed["total"] == 1 and [f["face_id"] for f in listed["items"]] == [face_id]
    assert client.get("/v1/teachers/T-1").json()["face_count"] == 1
    assert client.get("/v1/teachers").json()["items"][0]["face_count"] == 1
    (row,) = rows(settings, select(FaceData))
    assert (row.FaceID, row.TeacherID, row.StudentID) == (face_id, "T-1", None)

    # POST /v1/faces adds to the same person; the count follows.
    assert enroll(client, samples / "yaoming.jpg", "teacher", "T-1").status_code == 201
    assert client.get("/v1/teachers/T-1").json()["face_count"] == 2
    assert client.get("/v1/teachers/T-1/faces", params={"limit": 1}).json()["total"] == 2
    assert_error(client.get("/v1/teachers/T-1/faces", params={"limit": 0}), 422, "invalid_input")


# Delete --------------------------------------------------------------------------------------------


def test_delete_erases_faces_attendance_and_with_erase_logs_the_logs(
    client: TestClient, settings: Settings, samples: Path, facedata: Facedata
) -> None:
    blair = facedata.of_identity("Tony_Blair")
    create(client, "student", "S-yao")
    create(client, "teacher", "T-blair")
    yao_face = add_face(client, "student", "S-yao", samples / "yaoming.jpg").json()["face_id"]
    blair_face = add_face(client, "teacher", "T-blair", blair[0]).json()["face_id"]
    assert matched(client, samples / "players.jpg") == [("student", "S-yao")]
    assert ("teacher", "T-blair") in matched(client, blair[5])
    execute(
        settings,
        insert(AttendanceRecords).values(
            StudentID="S-yao",
            PersonKey="student:S-yao",
            AttendanceDate=date(2024, 9, 2),
            SessionID="",
            RecordedAt=datetime(2024, 9, 2, 8, 0),
            Status="present",
            Source="manual",
        ),
    )
    yao_logs = logs_naming(settings, "student", "S-yao")
    blair_logs = logs_naming(settings, "teacher", "T-blair")
    assert yao_logs >= 2 and blair_logs >= 2  # the enrollment and the match, at least
    all_logs = count(settings, FaceRecognitionLogs)

    erased = client.delete("/v1/students/S-yao", params={"erase_logs": "true"})
    assert erased.status_code == 200, erased.text
    assert erased.json() == {
        "person_type": "student",
        "person_id": "S-yao",
        "faces_deleted": 1,
        "attendance_records_deleted": 1,
        "logs_deleted": yao_logs,
    }
    assert rows(settings, select(FaceData.FaceID)) == [(blair_face,)]
    assert count(settings, AttendanceRecords) == 0 and count(settings, Student) == 0
    assert logs_naming(settings, "student", "S-yao") == 0
    assert logs_naming(settings, "teacher", "T-blair") == blair_logs
    assert count(settings, FaceRecognitionLogs) == all_logs - yao_logs
    assert_error(client.get("/v1/students/S-yao"), 404, "person_not_found")
    assert_error(client.get(f"/v1/faces/{yao_face}"), 404, "face_not_found")
    assert_error(client.get(f"/v1/faces/{yao_face}/image"), 404, "face_not_found")
    assert client.get("/v1/info").json()["faces_indexed"] == 1
    assert matched(client, samples / "players.jpg") == []
    assert_error(client.delete("/v1/students/S-yao"), 404, "person_not_found")

    kept = client.delete("/v1/teachers/T-blair")  # erase_logs defaults to false
    assert kept.status_code == 200, kept.text
    assert (kept.json()["faces_deleted"], kept.json()["logs_deleted"]) == (1, 0)
    assert count(settings, FaceData) == 0 and count(settings, Teacher) == 0
    assert logs_naming(settings, "teacher", "T-blair") == blair_logs
    assert client.get("/v1/info").json()["faces_indexed"] == 0
    assert matched(client, blair[5]) == []

    # The id is free again, for a new person without the old faces.
    assert create(client, "teacher", "T-blair")["face_count"] == 0
    assert_error(
        client.delete("/v1/students/S-1", params={"erase_logs": "perhaps"}), 422, "invalid_input"
    )
