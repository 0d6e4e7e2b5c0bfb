"""Attendance over the real app, on SQLite and on MariaDB, around the marking itself: confirming and
rejecting the faces that need review, marks by hand, sessions, the queries, the CSV export, the
absentees, a person's history, and validation that writes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from facerec.config import Settings
from facerec.store.tables import (
    AttendanceChanges,
    AttendanceRecords,
    AttendanceReviews,
    FaceRecognitionLogs,
    Student,
    Teacher,
)
from tests.conftest import Facedata, add_face, assert_error, count, rows

TWO_PEOPLE = "face_recognition/examples/two_people.jpg"  # Obama on the left, Biden on the right
OBAMA = "S-OB"
BIDEN = "S-JB"
DAY = "2026-11-26"
NEXT_DAY = "2026-11-27"
STRICT = "0.75"  # Biden (0.947) stays a match, Obama (0.711) falls into the band from 0.70


def create(client: TestClient, person_id: str, kind: str = "student", **fields: object) -> None:
    response = client.post(f"/v1/{kind}s", json={"person_id": person_id, **fields})
    assert response.status_code == 201, response.text


def enrol_two(client: TestClient, facedata: Facedata) -> None:
    """Obama and Biden, students of 5A, each with their own photo."""
    for person_id, name, photo in [
        (OBAMA, "Barack Obama", "obama.jpg"),
        (BIDEN, "Joe Biden", "biden.jpg"),
    ]:
        create(client, person_id, name=name, class_name="5A")
        path = facedata.path(f"face_recognition/tests/test_images/{photo}")
        added = add_face(client, "student", person_id, path)
        assert added.status_code == 201, added.text


def take(client: TestClient, photo: Path, **data: str):  # type: ignore[no-untyped-def]
    """POST /v1/attendance for ``DAY`` and class 5A unless ``data`` says otherwise."""
    fields = {"date": DAY, "class_name": "5A", **data}
    with photo.open("rb") as handle:
        return client.post(
            "/v1/attendance", files={"image": (photo.name, handle, "image/jpeg")}, data=fields
        )


def take_strict(client: TestClient, facedata: Facedata, **data: str) -> dict[str, Any]:
    """The two-people photo at the strict threshold: Biden present, Obama to review."""
    taken = take(client, facedata.path(TWO_PEOPLE), threshold=STRICT, **data)
    assert taken.status_code == 200, taken.text
    body: dict[str, Any] = taken.json()
    assert [p["person_id"] for p in body["present"]] == [BIDEN]
    assert [r["person_id"] for r in body["needs_review"]] == [OBAMA]
    return body


def mark(client: TestClient, person_id: str, status: str, **fields: str):  # type: ignore[no-untyped-def]
    body = {
        "person_type": "student",
        "person_id": person_id,
        "status": status,
        "date": DAY,
        "by": "ms.k",
        **fields,
    }
    return client.post("/v1/attendance/marks", json=body)


def records_of(settings: Settings, student_id: str) -> list[Any]:
    return rows(
        settings, select(AttendanceRecords).where(AttendanceRecords.StudentID == student_id)
    )


def stored_records(settings: Settings) -> list[dict[str, Any]]:
    """Every AttendanceRecords row with its person's name, in the API's order (date, session, person)."""
    found = rows(
        settings,
        select(AttendanceRecords, Student.Name.label("student"), Teacher.Name.label("teacher"))
        .outerjoin(Student, Student.StudentID == AttendanceRecords.StudentID)
        .outerjoin(Teacher, Teacher.TeacherID == AttendanceRecords.TeacherID),
    )
    result = [
        {
            "record_id": r.RecordID,
            "date": r.AttendanceDate.isoformat(),
            "session_id": r.SessionID,
            "class_name": r.ClassName,
            "person_type": "student" if r.StudentID is not None else "teacher",
            "person_id": r.StudentID or r.TeacherID,
            "name": r.student if r.StudentID is not None else r.teacher,
            "status": r.Status,
            "confidence": r.Confidence,
            "source": r.Source,
            "recorded_at": r.RecordedAt,
            "recorded_by": r.RecordedBy,
            "key": r.PersonKey,
        }
        for r in found
    ]
    return sorted(result, key=lambda r: (r["date"], r["session_id"], r["key"]))


# Reviews ----------------------------------------------------------------------------------------------


def test_confirming_a_review_marks_the_person_present_once(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    body = take_strict(client, facedata)
    assert body["threshold"] == 0.75 and body["review_from"] == pytest.approx(0.70)
    [review] = body["needs_review"]
    assert review["review_status"] == "pending" and review["name"] == "Barack Obama"
    assert 0.70 <= review["similarity"] < 0.75
    queue = client.get("/v1/attendance/reviews").json()
    assert queue["total"] == 1 and [r["review_id"] for r in queue["items"]] == [review["review_id"]]
    assert records_of(settings, OBAMA) == []

    confirmed = client.post(
        f"/v1/attendance/reviews/{review['review_id']}/confirm",
        json={"by": "ms.k", "note": "sits by the window"},
    )
    assert confirmed.status_code == 200, confirmed.text
    record = confirmed.json()["record"]
    assert (record["person_id"], record["status"], record["source"], record["recorded_by"]) == (
        OBAMA,
        "present",
        "photo",
        "ms.k",
    )
    assert (record["date"], record["session_id"], record["class_name"]) == (DAY, "", "5A")
    assert record["confidence"] == pytest.approx(review["similarity"], abs=1e-4)
    assert confirmed.json()["review"]["status"] == "confirmed"
    assert confirmed.json()["review"]["resolved_by"] == "ms.k"

    [stored] = records_of(settings, OBAMA)
    assert (stored.RecordID, stored.Status, stored.Source, stored.RecordedBy) == (
        record["record_id"],
        "present",
        "photo",
        "ms.k",
    )
    assert stored.Confidence == pytest.approx(review["similarity"], abs=1e-4)
    [change] = rows(settings, select(AttendanceChanges))
    assert (change.Action, change.StudentID, change.OldStatus, change.NewStatus) == (
        "confirm",
        OBAMA,
        None,
        "present",
    )
    assert (change.RecordID, change.ReviewID) == (record["record_id"], review["review_id"])
    assert (change.ChangedBy, change.Client, change.Note) == (
        "ms.k",
        "testclient",
        "sits by the window",
    )
    trail = client.get("/v1/attendance/changes").json()
    assert trail["total"] == 1
    assert {k: trail["items"][0][k] for k in ("action", "person_id", "changed_by", "client")} == {
        "action": "confirm",
        "person_id": OBAMA,
        "changed_by": "ms.k",
        "client": "testclient",
    }

    # Confirming again changes nothing, whoever asks.
    again = client.post(
        f"/v1/attendance/reviews/{review['review_id']}/confirm", json={"by": "mr.t"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["record"] == record
    assert len(records_of(settings, OBAMA)) == 1 and count(settings, AttendanceChanges) == 1
    refused = client.post(
        f"/v1/attendance/reviews/{review['review_id']}/reject", json={"by": "mr.t"}
    )
    assert_error(refused, 409, "review_resolved")
    assert client.get("/v1/attendance/reviews").json()["total"] == 0
    assert client.get("/v1/attendance/reviews?status=confirmed").json()["total"] == 1

    # The same photo again: the same review, no second record.
    resent = take_strict(client, facedata)
    assert [(r["review_id"], r["review_status"]) for r in resent["needs_review"]] == [
        (review["review_id"], "confirmed")
    ]
    assert [p["marked"] for p in resent["present"]] == ["already_present"]
    assert count(settings, AttendanceReviews) == 1
    assert count(settings, AttendanceRecords) == 2  # Biden and Obama
    assert count(settings, AttendanceChanges) == 1


def test_rejecting_a_review_marks_nobody(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    [review] = take_strict(client, facedata)["needs_review"]
    url = f"/v1/attendance/reviews/{review['review_id']}"

    rejected = client.post(f"{url}/reject", json={"by": "ms.k", "note": "the janitor"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["resolved_by"]) == ("rejected", "ms.k")
    assert records_of(settings, OBAMA) == []
    [change] = rows(settings, select(AttendanceChanges))
    assert (change.Action, change.StudentID, change.ReviewID, change.RecordID) == (
        "reject",
        OBAMA,
        review["review_id"],
        None,
    )
    assert (change.OldStatus, change.NewStatus, change.ChangedBy, change.Client) == (
        None,
        None,
        "ms.k",
        "testclient",
    )
    assert client.get("/v1/attendance/changes").json()["items"][0]["action"] == "reject"

    again = client.post(f"{url}/reject", json={"by": "mr.t"})
    assert again.status_code == 200 and again.json()["resolved_by"] == "ms.k"
    assert_error(client.post(f"{url}/confirm", json={"by": "mr.t"}), 409, "review_resolved")
    assert records_of(settings, OBAMA) == [] and count(settings, AttendanceChanges) == 1

    # A rejected face sent again is not queued again.
    resent = take_strict(client, facedata)
    assert resent["needs_review"][0]["review_status"] == "rejected"
    assert client.get("/v1/attendance/reviews").json()["total"] == 0
    assert count(settings, AttendanceReviews) == 1 and records_of(settings, OBAMA) == []

    missing = review["review_id"] + 1000
    for action in ("confirm", "reject"):
        answer = client.post(f"/v1/attendance/reviews/{missing}/{action}", json={"by": "ms.k"})
        assert_error(answer, 404, "review_not_found")
        too_big = f"/v1/attendance/reviews/{2**70}/{action}"  # never reaches the database
        assert_error(client.post(too_big, json={"by": "ms.k"}), 422, "invalid_input")
    assert count(settings, AttendanceChanges) == 1


def test_confirming_a_review_as_another_person_marks_that_person(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    create(client, "S-CX", name="Chris", class_name="5A")
    [review] = take_strict(client, facedata)["needs_review"]
    url = f"/v1/attendance/reviews/{review['review_id']}/confirm"

    unknown = client.post(
        url, json={"by": "ms.k", "person_type": "student", "person_id": "S-NOBODY"}
    )
    assert_error(unknown, 404, "person_not_found")
    half = client.post(url, json={"by": "ms.k", "person_id": "S-CX"})
    assert_error(half, 422, "invalid_input")
    assert count(settings, AttendanceChanges) == 0
    assert client.get("/v1/attendance/reviews").json()["total"] == 1  # still pending

    confirmed = client.post(url, json={"by": "ms.k", "person_type": "student", "person_id": "S-CX"})
    assert confirmed.status_code == 200, confirmed.text
    record = confirmed.json()["record"]
    assert (record["person_id"], record["status"], record["confidence"]) == (
        "S-CX",
        "present",
        None,
    )
    assert confirmed.json()["review"]["status"] == "confirmed"
    assert records_of(settings, OBAMA) == []
    [stored] = records_of(settings, "S-CX")
    assert (stored.Status, stored.Source, stored.RecordedBy) == ("present", "photo", "ms.k")
    [change] = rows(settings, select(AttendanceChanges))
    assert (change.StudentID, change.ReviewID) == ("S-CX", review["review_id"])

    # Confirming again, as the candidate or as anyone else, marks nobody more: the face was one
    # person's.
    for extra in ({}, {"person_type": "student", "person_id": BIDEN}):
        again = client.post(url, json={"by": "mr.t", **extra})
        assert again.status_code == 200, again.text
        assert again.json()["record"]["record_id"] == record["record_id"]
    assert records_of(settings, OBAMA) == []
    assert count(settings, AttendanceRecords) == 2  # Biden (from the photo) and Chris
    assert count(settings, AttendanceChanges) == 1


# Marks by hand ----------------------------------------------------------------------------------------


def test_a_mark_by_hand_stands_against_a_later_photo(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    create(client, "S-CX", name="Chris", class_name="5A")
    absent = mark(client, BIDEN, "absent", note="went home ill")
    assert absent.status_code == 200, absent.text
    assert (absent.json()["status"], absent.json()["source"]) == ("absent", "manual")
    assert absent.json()["class_name"] == "5A"  # the person's own class

    taken = take(client, facedata.path(TWO_PEOPLE))
    assert taken.status_code == 200, taken.text
    marked = {p["person_id"]: (p["marked"], p["record_id"]) for p in taken.json()["present"]}
    assert marked == {
        OBAMA: ("new", marked[OBAMA][1]),
        BIDEN: ("kept_absent", absent.json()["record_id"]),
    }
    [biden] = records_of(settings, BIDEN)
    assert (biden.Status, biden.Source, biden.RecordedBy, biden.Confidence) == (
        "absent",
        "manual",
        "ms.k",
        None,
    )

    # Present by hand: someone in no photo.
    present = mark(client, "S-CX", "present", by="mr.t")
    assert present.status_code == 200, present.text
    [chris] = records_of(settings, "S-CX")
    assert (chris.Status, chris.Source, chris.RecordedBy) == ("present", "manual", "mr.t")
    # And absent again: the same record, overwritten; the trail keeps both.
    again = mark(client, "S-CX", "absent")
    assert again.json()["record_id"] == present.json()["record_id"]
    changes = rows(settings, select(AttendanceChanges).order_by(AttendanceChanges.ChangeID))
    assert [(c.StudentID, c.Action, c.OldStatus, c.NewStatus, c.ChangedBy) for c in changes] == [
        (BIDEN, "mark_absent", None, "absent", "ms.k"),
        ("S-CX", "mark_present", None, "present", "mr.t"),
        ("S-CX", "mark_absent", "present", "absent", "ms.k"),
    ]
    assert changes[0].Note == "went home ill" and changes[0].Client == "testclient"


def test_a_mark_that_cannot_be_made_writes_nothing(client: TestClient, settings: Settings) -> None:
    create(client, "S-CX", name="Chris", class_name="5A")
    assert_error(mark(client, "S-NOBODY", "present"), 404, "person_not_found")
    assert_error(mark(client, "S-CX", "present", person_type="teacher"), 404, "person_not_found")
    for by in ("", "   ", "x" * 65):
        assert_error(mark(client, "S-CX", "present", by=by), 422, "invalid_input")
    without_by = client.post(
        "/v1/attendance/marks",
        json={"person_type": "student", "person_id": "S-CX", "status": "present"},
    )
    assert_error(without_by, 422, "invalid_input")
    assert_error(mark(client, "S-CX", "late"), 422, "invalid_input")
    assert_error(mark(client, "S-CX", "present", date="2026-13-40"), 422, "invalid_input")
    assert_error(mark(client, "S-CX", "present", session_id="../x"), 422, "invalid_input")
    assert_error(mark(client, "../x", "present"), 422, "invalid_input")
    assert count(settings, AttendanceRecords) == 0
    assert count(settings, AttendanceChanges) == 0


# Sessions ---------------------------------------------------------------------------------------------


def test_each_session_and_each_day_has_its_own_record(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    photo = facedata.path(TWO_PEOPLE)
    for day, session_id in [(DAY, "p1"), (DAY, "p2"), (DAY, ""), (NEXT_DAY, "")]:
        taken = take(client, photo, date=day, session_id=session_id)
        assert taken.status_code == 200, taken.text
        assert taken.json()["session"] == {
            "date": day,
            "session_id": session_id,
            "class_name": "5A",
        }
        assert sorted((p["person_id"], p["marked"]) for p in taken.json()["present"]) == [
            (BIDEN, "new"),
            (OBAMA, "new"),
        ]
    again = take(client, photo).json()  # the whole day again: nothing new
    assert [p["marked"] for p in again["present"]] == ["already_present", "already_present"]
    for person in (OBAMA, BIDEN):
        sessions = sorted(
            (r.AttendanceDate.isoformat(), r.SessionID) for r in records_of(settings, person)
        )
        assert sessions == [(DAY, ""), (DAY, "p1"), (DAY, "p2"), (NEXT_DAY, "")]
    assert count(settings, AttendanceRecords) == 8


# Queries ----------------------------------------------------------------------------------------------


def test_queries_and_the_export_agree_with_the_database(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    enrol_two(client, facedata)
    create(client, "S-EQ", name='=HYPERLINK("http://x")', class_name="5A")
    create(client, "S-5B", name="Dana", class_name="5B")
    create(client, "T-1", kind="teacher", name="Mr T", class_name="5A")
    assert take(client, facedata.path(TWO_PEOPLE)).status_code == 200  # both present on DAY
    for person_id, status, day, extra in [
        ("S-EQ", "absent", DAY, {}),
        ("S-EQ", "present", "2026-11-25", {"session_id": "p1"}),
        ("S-5B", "present", NEXT_DAY, {}),
        ("T-1", "present", DAY, {"person_type": "teacher"}),
        (BIDEN, "absent", "2026-11-28", {"by": "+mr.t"}),
    ]:
        marked = mark(client, person_id, status, date=day, **extra)
        assert marked.status_code == 200, marked.text
    stored = stored_records(settings)
    assert len(stored) == 7

    def listed(query: str) -> tuple[list[int], int]:
        answer = client.get(f"/v1/attendance?{query}")
        assert answer.status_code == 200, answer.text
        return [r["record_id"] for r in answer.json()["items"]], answer.json()["total"]

    def expected(keep: Callable[[dict[str, Any]], bool]) -> tuple[list[int], int]:
        ids = [r["record_id"] for r in stored if keep(r)]
        return ids, len(ids)

    assert listed("") == expected(lambda r: True)
    assert listed(f"from=2026-11-25&to={DAY}") == expected(lambda r: r["date"] <= DAY)
    assert listed(f"from={NEXT_DAY}") == expected(lambda r: r["date"] >= NEXT_DAY)
    assert listed(f"from={DAY}&to={DAY}") == expected(lambda r: r["date"] == DAY)
    assert listed("class_name=5B") == expected(lambda r: r["class_name"] == "5B")
    assert listed("person_type=student&person_id=S-EQ") == expected(
        lambda r: r["person_id"] == "S-EQ"
    )
    assert listed("person_type=teacher") == expected(lambda r: r["person_type"] == "teacher")
    assert listed("status=absent") == expected(lambda r: r["status"] == "absent")
    assert listed("source=photo") == expected(lambda r: r["source"] == "photo")
    assert listed("session_id=p1") == expected(lambda r: r["session_id"] == "p1")
    assert listed("class_name=5A&status=present&source=manual") == expected(
        lambda r: r["class_name"] == "5A" and r["status"] == "present" and r["source"] == "manual"
    )
    everything = [r["record_id"] for r in stored]
    assert listed("limit=3&offset=2") == (everything[2:5], 7)
    assert listed("limit=3&offset=6") == (everything[6:], 7)
    assert listed("offset=10") == ([], 7)
    page = client.get("/v1/attendance?limit=3&offset=2").json()
    assert (page["limit"], page["offset"]) == (3, 2)
    biden = next(
        r for r in client.get("/v1/attendance?person_type=student&person_id=S-JB").json()["items"]
    )
    assert (biden["name"], biden["source"], biden["recorded_by"]) == ("Joe Biden", "photo", None)
    assert biden["confidence"] == pytest.approx(0.947, abs=0.01)

    exported = client.get("/v1/attendance/export.csv")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attendance.csv" in exported.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(exported.text)))
    assert lines == [
        {
            "record_id": str(r["record_id"]),
            "date": r["date"],
            "session_id": r["session_id"],
            "class_name": r["class_name"] or "",
            "person_type": r["person_type"],
            "person_id": r["person_id"],
            "name": "'" + r["name"] if r["name"].startswith("=") else r["name"],
            "status": r["status"],
            "confidence": "" if r["confidence"] is None else f"{r['confidence']:.4f}",
            "source": r["source"],
            "recorded_at": r["recorded_at"].isoformat(timespec="seconds") + "Z",
            "recorded_by": "'+mr.t" if r["recorded_by"] == "+mr.t" else r["recorded_by"] or "",
        }
        for r in stored
    ]
    assert "'=HYPERLINK" in exported.text and "'+mr.t" in exported.text
    filtered = client.get(f"/v1/attendance/export.csv?from={DAY}&to={DAY}&status=present")
    assert [line["record_id"] for line in csv.DictReader(io.StringIO(filtered.text))] == [
        str(r["record_id"]) for r in stored if r["date"] == DAY and r["status"] == "present"
    ]
    empty = client.get("/v1/attendance/export.csv?from=2030-01-01")
    assert empty.text.splitlines() == [",".join(lines[0])]  # the header alone


def test_absentees_are_the_active_students_not_marked_present(
    client: TestClient, settings: Settings
) -> None:
    for person_id in ("S-1", "S-2", "S-3", "S-4", "S-5"):
        create(client, person_id, name=f"Student {person_id}", class_name="5A")
    create(client, "S-OTHER", name="Elsewhere", class_name="5B")
    create(client, "T-1", kind="teacher", class_name="5A")
    assert mark(client, "S-1", "present").status_code == 200
    assert mark(client, "S-2", "absent").status_code == 200
    assert mark(client, "S-3", "absent").status_code == 200
    assert mark(client, "S-3", "present").status_code == 200  # corrected
    deactivated = client.patch("/v1/students/S-5", json={"active": False})
    assert deactivated.status_code == 200, deactivated.text

    found = client.get(f"/v1/attendance/absentees?class_name=5A&date={DAY}")
    assert found.status_code == 200, found.text
    assert found.json()["session"] == {"date": DAY, "session_id": "", "class_name": "5A"}
    assert [(a["person_id"], a["status"], a["class_name"]) for a in found.json()["absentees"]] == [
        ("S-2", "absent", "5A"),
        ("S-4", None, "5A"),
    ]
    assert found.json()["absentees"][0]["name"] == "Student S-2"
    # Another session or day: nobody is marked, every active student is missing.
    for query in (f"date={DAY}&session_id=p1", f"date={NEXT_DAY}"):
        other = client.get(f"/v1/attendance/absentees?class_name=5A&{query}").json()
        assert [(a["person_id"], a["status"]) for a in other["absentees"]] == [
            ("S-1", None),
            ("S-2", None),
            ("S-3", None),
            ("S-4", None),
        ]
    assert client.get("/v1/attendance/absentees?class_name=9Z").json()["absentees"] == []
    assert_error(client.get("/v1/attendance/absentees"), 422, "invalid_input")
    assert_error(
        client.get("/v1/attendance/absentees?class_name=5A&date=2026-02-30"), 422, "invalid_input"
    )


def test_a_persons_history_counts_present_and_absent(
    client: TestClient, settings: Settings
) -> None:
    create(client, "S-1", name="Ann", class_name="5A")
    for day, status, session_id in [
        ("2026-11-24", "present", ""),
        ("2026-11-25", "absent", ""),
        (DAY, "present", "p1"),
        (DAY, "present", "p2"),
    ]:
        assert mark(client, "S-1", status, date=day, session_id=session_id).status_code == 200

    history = client.get("/v1/students/S-1/attendance")
    assert history.status_code == 200, history.text
    body = history.json()
    assert (body["person_id"], body["name"], body["present"], body["absent"]) == (
        "S-1",
        "Ann",
        3,
        1,
    )
    assert [(r["date"], r["session_id"]) for r in body["records"]] == [
        ("2026-11-24", ""),
        ("2026-11-25", ""),
        (DAY, "p1"),
        (DAY, "p2"),
    ]
    assert [r["record_id"] for r in body["records"]] == [
        r["record_id"] for r in stored_records(settings)
    ]
    ranged = client.get("/v1/students/S-1/attendance?from=2026-11-25&to=2026-11-25").json()
    assert (ranged["present"], ranged["absent"], len(ranged["records"])) == (0, 1, 1)
    assert_error(client.get("/v1/students/S-NOBODY/attendance"), 404, "person_not_found")
    assert_error(client.get("/v1/teachers/S-1/attendance"), 404, "person_not_found")
    assert_error(
        client.get("/v1/students/S-1/attendance?from=2026-11-26&to=2026-11-25"),
        422,
        "invalid_input",
    )


# Validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"date": "2026-13-40"},
        {"date": "yesterday"},
        {"session_id": "../x"},
        {"session_id": "x" * 65},
        {"source": "manual"},
        {"source": "webcam"},
        {"threshold": "1.5"},
        {"class_name": "c" * 65},
    ],
    ids=lambda f: "-".join(f"{k}={v[:12]}" for k, v in f.items()),
)
def test_an_invalid_attendance_request_writes_nothing(
    module_client: TestClient, module_settings: Settings, facedata: Facedata, fields: dict[str, str]
) -> None:
    answer = take(module_client, facedata.path(TWO_PEOPLE), **fields)
    assert_error(answer, 422, "invalid_input")
    assert count(module_settings, AttendanceRecords) == 0
    assert count(module_settings, AttendanceReviews) == 0
    assert count(module_settings, FaceRecognitionLogs) == 0


def test_invalid_queries_are_refused(module_client: TestClient) -> None:
    for path in ("/v1/attendance", "/v1/attendance/export.csv", "/v1/attendance/changes"):
        for query in (
            "from=2026-11-27&to=2026-11-26",
            "person_id=S-1",
            "person_type=parent",
            "person_type=student&person_id=../x",
            "from=2026-13-40",
        ):
            assert_error(module_client.get(f"{path}?{query}"), 422, "invalid_input")
    for path in ("/v1/attendance", "/v1/attendance/export.csv"):  # changes have no status, source
        for query in ("status=late", "source=webcam"):
            assert_error(module_client.get(f"{path}?{query}"), 422, "invalid_input")
    assert_error(module_client.get("/v1/attendance?limit=0"), 422, "invalid_input")
    assert_error(module_client.get("/v1/attendance/reviews?status=maybe"), 422, "invalid_input")
    assert_error(
        module_client.get("/v1/attendance/reviews?from=2026-11-27&to=2026-11-26"),
        422,
        "invalid_input",
    )


def test_a_broken_image_is_logged_and_marks_nobody(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    broken = facedata.path(
        next(r["file"] for r in facedata.with_identity("INVALID") if "truncated" in r["file"])
    )
    assert_error(take(client, broken), 400, "corrupt_image")
    assert count(settings, AttendanceRecords) == 0
    [logged] = rows(settings, select(FaceRecognitionLogs))
    assert (logged.Operation, logged.Result, logged.Client) == (
        "attendance",
        "corrupt_image",
        "testclient",
    )

    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    empty = take(client, no_face)
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert body["faces_found"] == 0
    assert body["present"] == body["needs_review"] == body["unknown"] == []
    assert count(settings, AttendanceRecords) == 0
    results = rows(
        settings,
        select(FaceRecognitionLogs.Operation, FaceRecognitionLogs.Result).order_by(
            FaceRecognitionLogs.LogID
        ),
    )
    assert [tuple(r) for r in results] == [
        ("attendance", "corrupt_image"),
        ("attendance", "no_face_found"),
    ]
