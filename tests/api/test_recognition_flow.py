"""The core flow over the real app, on SQLite and on MariaDB: enroll, identify, verify, restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from facerec.config import Settings
from facerec.engine.models import PACKS
from facerec.store.tables import FaceData, FaceRecognitionLogs, Student, Teacher
from tests.conftest import Facedata, count, enroll, identify, start_app, verify


def test_enrolled_student_is_found_in_team_photo_and_nobody_else(
    client: TestClient, settings: Settings, samples: Path
) -> None:
    enrolled = enroll(client, samples / "yaoming.jpg", "student", "S-001", name="Yao Ming")
    assert enrolled.status_code == 201, enrolled.text
    body = enrolled.json()
    assert body["person_id"] == "S-001" and body["faces_in_image"] == 1 and body["face_id"] > 0

    found = identify(client, samples / "players.jpg")
    assert found.status_code == 200, found.text
    faces = found.json()["faces"]
    assert len(faces) >= 20  # a team photo
    matches = [f["match"] for f in faces if f["match"] is not None]
    assert len(matches) == 1
    assert matches[0]["person_id"] == "S-001" and matches[0]["person_type"] == "student"
    assert matches[0]["similarity"] >= found.json()["threshold"]

    # The Student row was created by the enrollment, the face is stored, the enrollment and every
    # face of the identification were logged.
    assert count(settings, Student) == 1
    assert count(settings, FaceData) == 1
    assert count(settings, FaceRecognitionLogs) == 1 + len(faces)
    engine = create_engine(settings.sqlalchemy_url().get_secret_value())
    with engine.connect() as conn:
        logged = conn.execute(
            select(FaceRecognitionLogs).where(FaceRecognitionLogs.Result == "match")
        ).one()
        enrolled_log = conn.execute(
            select(FaceRecognitionLogs).where(FaceRecognitionLogs.Operation == "enroll")
        ).one()
    engine.dispose()
    assert (enrolled_log.Result, enrolled_log.PersonID, enrolled_log.FaceID) == (
        "enrolled",
        "S-001",
        body["face_id"],
    )
    assert (logged.Operation, logged.PersonType, logged.PersonID) == (
        "identify",
        "student",
        "S-001",
    )
    assert logged.Similarity == pytest.approx(matches[0]["similarity"], abs=1e-3)
    assert logged.Threshold == found.json()["threshold"] and logged.Client == "testclient"


def test_restart_keeps_faces_and_index(settings: Settings, samples: Path) -> None:
    with TestClient(start_app(settings)) as first:
        assert enroll(first, samples / "yaoming.jpg", "teacher", "T-9").status_code == 201
    with TestClient(start_app(settings)) as second:
        assert second.get("/v1/info").json()["faces_indexed"] == 1
        matches = [
            f["match"]
            for f in identify(second, samples / "players.jpg").json()["faces"]
            if f["match"]
        ]
        assert [(m["person_type"], m["person_id"]) for m in matches] == [("teacher", "T-9")]
    assert count(settings, Teacher) == 1


def test_verify_same_person_yes_and_two_people_no(client: TestClient, facedata: Facedata) -> None:
    people = ["Tony_Blair", "George_W_Bush", "Vladimir_Putin"]
    photos = {p: facedata.of_identity(p) for p in people}
    for person in people:
        same = verify(client, photos[person][1], photos[person][2])
        assert same.status_code == 200, same.text
        assert same.json()["same_person"] is True, (person, same.json()["similarity"])
    for a, b in [(people[0], people[1]), (people[1], people[2]), (people[2], people[0])]:
        different = verify(client, photos[a][1], photos[b][1]).json()
        assert different["same_person"] is False, (a, b, different["similarity"])


def test_verify_threshold_override_is_applied(client: TestClient, samples: Path) -> None:
    photo = samples / "yaoming.jpg"
    strict = verify(client, photo, photo, threshold="1.01")
    assert strict.status_code == 422 and strict.json()["error"]["code"] == "invalid_input"
    lenient = verify(client, photo, samples / "gdp.jpg", threshold="-1").json()
    assert lenient["threshold"] == -1.0 and lenient["same_person"] is True
    default = verify(client, photo, samples / "gdp.jpg").json()
    assert default["threshold"] == PACKS["bundled"].default_threshold
    assert default["same_person"] is False


def test_identify_with_empty_gallery_returns_faces_without_match(
    client: TestClient, samples: Path
) -> None:
    faces = identify(client, samples / "gdp.jpg").json()["faces"]
    assert len(faces) == 5
    assert all(f["match"] is None and f["candidates"] == [] for f in faces)


def test_identify_top_k_lists_people_not_faces(
    client: TestClient, samples: Path, facedata: Facedata
) -> None:
    blair = facedata.of_identity("Tony_Blair")
    for photo in blair[:3]:
        assert enroll(client, photo, "student", "blair").status_code == 201
    assert enroll(client, samples / "yaoming.jpg", "student", "yao").status_code == 201
    result = identify(client, blair[5], top_k="5").json()["faces"]
    largest = max(result, key=lambda f: f["bbox"]["x2"] - f["bbox"]["x1"])
    people = [c["person_id"] for c in largest["candidates"]]
    assert people == ["blair", "yao"]  # two people, each once, best first
    assert largest["match"]["person_id"] == "blair"
