"""The enrollment gate (poor_quality, duplicate_face, and their overrides) and identify's decisions
(match, needs_review, unknown) over the real app, on SQLite and on MariaDB."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from fastapi.testclient import TestClient

from facerec.config import Settings
from facerec.engine.models import PACKS
from facerec.store.tables import FaceData, Student, Teacher
from tests.conftest import Facedata, assert_error, count, enroll, identify, make_settings, start_app

QUALITY_FIGURES = {"face_px", "det_score", "sharpness", "brightness", "yaw_deg", "pitch_deg"}
THRESHOLD = PACKS["bundled"].default_threshold
BAND = PACKS["bundled"].default_threshold - PACKS["bundled"].review_threshold


@pytest.fixture
def blurred(samples: Path, tmp_path: Path) -> Path:
    """yaoming.jpg, out of focus."""
    path = tmp_path / "blurred.jpg"
    image = cv2.imread(str(samples / "yaoming.jpg"))
    assert cv2.imwrite(str(path), cv2.GaussianBlur(image, (0, 0), 3))
    return path


@pytest.fixture
def blair(facedata: Facedata) -> list[Path]:
    photos = facedata.of_identity("Tony_Blair")
    assert len(photos) >= 10
    return photos


def largest(response) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.status_code == 200, response.text
    faces = response.json()["faces"]
    assert faces, "no face found"
    return max(faces, key=lambda f: f["bbox"]["x2"] - f["bbox"]["x1"])


def test_a_good_photo_passes_the_gate(client: TestClient, samples: Path) -> None:
    response = enroll(client, samples / "yaoming.jpg", "student", "S1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["quality"]["passed"] is True and body["quality"]["reasons"] == []
    assert set(body["quality"]) >= QUALITY_FIGURES and body["quality"]["face_px"] >= 60
    assert body["warnings"] == []


def test_a_poor_photo_is_refused_with_reasons_and_nothing_written(
    client: TestClient, settings: Settings, blurred: Path
) -> None:
    refused = enroll(client, blurred, "student", "S1", name="Blurred")
    assert_error(refused, 422, "poor_quality")
    details = refused.json()["error"]["details"]
    assert details["reasons"] == ["low_sharpness"]
    assert QUALITY_FIGURES | {"roll_deg"} == set(details["quality"])
    assert details["quality"]["sharpness"] < settings.quality_min_sharpness
    assert "low_sharpness" in refused.json()["error"]["message"]
    assert count(settings, Student) == 0 and count(settings, FaceData) == 0

    accepted = enroll(client, blurred, "student", "S1", allow_poor_quality="true")
    assert accepted.status_code == 201, accepted.text
    quality = accepted.json()["quality"]
    assert quality["passed"] is False and quality["reasons"] == ["low_sharpness"]
    assert quality["sharpness"] == pytest.approx(details["quality"]["sharpness"], abs=0.1)
    assert accepted.json()["warnings"] == ["enrolled despite poor quality (low_sharpness)"]
    assert count(settings, Student) == 1 and count(settings, FaceData) == 1


def test_a_lowered_limit_lets_the_same_photo_through(
    tmp_path: Path, blurred: Path, database_url: str | None
) -> None:
    lenient = make_settings(tmp_path, database_url=database_url, quality_min_sharpness=1.0)
    with TestClient(start_app(lenient)) as client:
        response = enroll(client, blurred, "student", "S1")
        assert response.status_code == 201, response.text
        assert response.json()["quality"]["passed"] is True


def test_the_same_photo_under_another_person_is_a_duplicate(
    client: TestClient, settings: Settings, samples: Path
) -> None:
    first = enroll(client, samples / "yaoming.jpg", "student", "S1").json()
    # Another person: a teacher with the same id is someone else too.
    refused = enroll(client, samples / "yaoming.jpg", "teacher", "S1")
    assert_error(refused, 409, "duplicate_face")
    details = refused.json()["error"]["details"]
    assert details == {
        "person_type": "student",
        "person_id": "S1",
        "face_id": first["face_id"],
        "similarity": pytest.approx(1.0, abs=1e-3),
    }
    assert count(settings, Teacher) == 0 and count(settings, FaceData) == 1

    accepted = enroll(client, samples / "yaoming.jpg", "teacher", "S1", allow_duplicate="true")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["quality"]["passed"] is True
    [warning] = accepted.json()["warnings"]
    assert warning.startswith("enrolled although the face matches student S1 (similarity 1.0")
    assert count(settings, Teacher) == 1 and count(settings, FaceData) == 2


def test_another_photo_of_the_same_face_is_a_duplicate_for_someone_else_only(
    client: TestClient, settings: Settings, blair: list[Path]
) -> None:
    first = enroll(client, blair[0], "student", "blair").json()
    refused = enroll(client, blair[1], "student", "tony")
    assert_error(refused, 409, "duplicate_face")
    details = refused.json()["error"]["details"]
    assert (details["person_id"], details["face_id"]) == ("blair", first["face_id"])
    assert THRESHOLD <= details["similarity"] < 0.99
    assert count(settings, Student) == 1

    second = enroll(client, blair[1], "student", "blair")  # the same person again: welcome
    assert second.status_code == 201, second.text
    assert second.json()["warnings"] == [] and second.json()["quality"]["passed"] is True
    assert count(settings, Student) == 1 and count(settings, FaceData) == 2


def test_quality_is_checked_before_duplicates_and_both_can_be_overridden(
    client: TestClient, settings: Settings, samples: Path, blurred: Path
) -> None:
    assert enroll(client, samples / "yaoming.jpg", "student", "S1").status_code == 201
    assert_error(enroll(client, blurred, "student", "S2"), 422, "poor_quality")
    duplicate = enroll(client, blurred, "student", "S2", allow_poor_quality="true")
    assert_error(duplicate, 409, "duplicate_face")
    assert duplicate.json()["error"]["details"]["person_id"] == "S1"
    assert count(settings, Student) == 1
    both = enroll(
        client, blurred, "student", "S2", allow_poor_quality="true", allow_duplicate="true"
    )
    assert both.status_code == 201, both.text
    assert len(both.json()["warnings"]) == 2 and count(settings, FaceData) == 2


def test_identify_decides_match_unknown_and_review_band(
    client: TestClient, facedata: Facedata, blair: list[Path]
) -> None:
    enrolled = enroll(client, blair[0], "student", "blair").json()

    found = identify(client, blair[9])
    face = largest(found)
    assert face["decision"] == "match" and face["match"]["person_id"] == "blair"
    assert face["match"]["face_id"] == enrolled["face_id"]
    assert set(face["quality"]) >= QUALITY_FIGURES
    body = found.json()
    assert body["threshold"] == THRESHOLD and body["margin"] == 0.05
    assert body["review_from"] == pytest.approx(THRESHOLD - BAND)
    assert face["match"]["similarity"] >= body["threshold"]

    stranger = largest(identify(client, facedata.of_identity("George_W_Bush")[0]))
    assert stranger["decision"] == "unknown" and stranger["match"] is None
    assert all(c["similarity"] < body["review_from"] for c in stranger["candidates"])

    # A stricter threshold just above this similarity puts the same face in the band.
    similarity = face["match"]["similarity"]
    strict = identify(client, blair[9], threshold=str(round(similarity + 0.02, 4)))
    review = largest(strict)
    assert review["decision"] == "needs_review" and review["match"]["person_id"] == "blair"
    assert strict.json()["threshold"] == pytest.approx(similarity + 0.02)
    assert strict.json()["review_from"] == pytest.approx(similarity + 0.02 - BAND, abs=1e-4)
    # ... and one far above it makes it unknown.
    unknown = largest(identify(client, blair[9], threshold=str(round(similarity + 0.2, 4))))
    assert unknown["decision"] == "unknown" and unknown["match"] is None


def test_two_ids_for_one_face_need_review(client: TestClient, blair: list[Path]) -> None:
    assert enroll(client, blair[0], "student", "blair_a").status_code == 201
    assert_error(enroll(client, blair[2], "student", "blair_b"), 409, "duplicate_face")
    assert enroll(client, blair[2], "student", "blair_b", allow_duplicate="true").status_code == 201

    face = largest(identify(client, blair[5]))
    first, second = face["candidates"][:2]
    assert {first["person_id"], second["person_id"]} == {"blair_a", "blair_b"}
    assert first["similarity"] >= THRESHOLD and first["similarity"] - second["similarity"] < 0.05
    assert face["decision"] == "needs_review"
    assert face["match"] == first  # it still says who is most likely

    # Without the look-alike, the same face is a plain match.
    faces = client.get("/v1/faces", params={"person_type": "student", "person_id": "blair_b"})
    assert client.delete(f"/v1/faces/{faces.json()['items'][0]['face_id']}").status_code == 204
    alone = largest(identify(client, blair[5]))
    assert alone["decision"] == "match" and alone["match"]["person_id"] == "blair_a"
