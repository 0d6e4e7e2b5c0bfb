"""Attendance from real photos over the real app, on SQLite and MariaDB: a group photo marks exactly
the enrolled people present, once each; strangers come back unknown; marking twice adds nothing;
the list, the absentees and the CSV agree with the rows in the database."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from facerec.config import Settings
from facerec.engine.image import decode_image
from facerec.engine.pipeline import FaceEngine
from facerec.store.tables import AttendanceRecords, FaceRecognitionLogs
from tests.conftest import Facedata, rows

DAY = "2026-11-26"
TWO_PEOPLE = "face_recognition/examples/two_people.jpg"  # Obama (left) and Biden (right)
OBAMA = "face_recognition/tests/test_images/obama.jpg"
BIDEN = "face_recognition/tests/test_images/biden.jpg"


def add_student(
    client: TestClient, person_id: str, photo: Path, *, name: str, class_name: str = "5A"
) -> None:
    created = client.post(
        "/v1/students", json={"person_id": person_id, "name": name, "class_name": class_name}
    )
    assert created.status_code == 201, created.text
    enrolled = client.post(
        f"/v1/students/{person_id}/faces",
        files={"image": (photo.name, photo.read_bytes())},
        data={"allow_duplicate": "true"},
    )
    assert enrolled.status_code == 201, enrolled.text


def take(client: TestClient, photo: bytes, **form: str):  # type: ignore[no-untyped-def]
    response = client.post(
        "/v1/attendance", files={"image": ("photo.jpg", photo)}, data={"date": DAY, **form}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_group_photo_marks_exactly_the_enrolled_people_once(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    add_student(client, "S-OBAMA", facedata.path(OBAMA), name="Barack Obama")
    add_student(client, "S-BIDEN", facedata.path(BIDEN), name="Joe Biden")
    add_student(client, "S-BLAIR", facedata.of_identity("Tony_Blair")[0], name="Tony Blair")
    add_student(client, "S-BUSH", facedata.of_identity("George_W_Bush")[0], name="George Bush")
    photo = facedata.path(TWO_PEOPLE).read_bytes()

    first = take(client, photo, class_name="5A")
    assert first["faces_found"] == 2
    assert sorted(p["person_id"] for p in first["present"]) == ["S-BIDEN", "S-OBAMA"]
    assert first["unknown"] == [] and first["needs_review"] == []
    assert {p["marked"] for p in first["present"]} == {"new"}
    for present in first["present"]:
        assert present["confidence"] >= first["threshold"]
        assert present["person_type"] == "student" and present["name"]
    # Obama stands on the left of the photo, Biden on the right.
    by_id = {p["person_id"]: p for p in first["present"]}
    assert by_id["S-OBAMA"]["bbox"]["x2"] < by_id["S-BIDEN"]["bbox"]["x1"]

    stored = rows(settings, select(AttendanceRecords))
    assert sorted(r.StudentID for r in stored) == ["S-BIDEN", "S-OBAMA"]
    assert {(str(r.AttendanceDate), r.Status, r.Source, r.ClassName) for r in stored} == {
        (DAY, "present", "photo", "5A")
    }

    again = take(client, photo, class_name="5A")
    assert {p["marked"] for p in again["present"]} == {"already_present"}
    assert [r.RecordID for r in rows(settings, select(AttendanceRecords))] == [
        r.RecordID for r in stored
    ]

    absent = client.get("/v1/attendance/absentees", params={"class_name": "5A", "date": DAY})
    assert absent.status_code == 200, absent.text
    assert [a["person_id"] for a in absent.json()["absentees"]] == ["S-BLAIR", "S-BUSH"]

    listed = client.get("/v1/attendance", params={"from": DAY, "to": DAY, "class_name": "5A"})
    assert listed.status_code == 200 and listed.json()["total"] == 2
    assert {r["record_id"] for r in listed.json()["items"]} == {r.RecordID for r in stored}

    exported = client.get("/v1/attendance/export.csv", params={"from": DAY, "to": DAY})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    csv_rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted((int(r["record_id"]), r["person_id"], r["status"]) for r in csv_rows) == sorted(
        (r.RecordID, r.StudentID, r.Status) for r in stored
    )
    confidence = {r.StudentID: r.Confidence for r in stored}
    for row in csv_rows:
        assert float(row["confidence"]) == pytest.approx(confidence[row["person_id"]], abs=1e-4)

    # Every face of both photos was logged, with the person it was given to.
    logged = rows(
        settings,
        select(FaceRecognitionLogs).where(FaceRecognitionLogs.Operation == "attendance"),
    )
    assert Counter((r.Result, r.PersonID) for r in logged) == {
        ("match", "S-OBAMA"): 2,
        ("match", "S-BIDEN"): 2,
    }


def test_a_face_of_nobody_enrolled_comes_back_unknown(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    add_student(client, "S-OBAMA", facedata.path(OBAMA), name="Barack Obama")
    result = take(client, facedata.path(TWO_PEOPLE).read_bytes())
    assert [p["person_id"] for p in result["present"]] == ["S-OBAMA"]
    assert len(result["unknown"]) == 1 and result["needs_review"] == []
    unknown = result["unknown"][0]
    assert unknown["bbox"]["x1"] > result["present"][0]["bbox"]["x2"]  # Biden, on the right
    assert unknown["best_similarity"] < result["review_from"]
    assert [r.StudentID for r in rows(settings, select(AttendanceRecords))] == ["S-OBAMA"]


def test_team_photo_of_22_marks_the_one_enrolled_player(
    client: TestClient, settings: Settings, samples: Path
) -> None:
    add_student(client, "S-YAO", samples / "yaoming.jpg", name="Yao Ming")
    result = take(client, (samples / "players.jpg").read_bytes(), session_id="practice")
    assert result["faces_found"] >= 20
    assert [p["person_id"] for p in result["present"]] == ["S-YAO"]
    assert result["needs_review"] == []
    assert len(result["unknown"]) == result["faces_found"] - 1
    stored = rows(settings, select(AttendanceRecords))
    assert [(r.StudentID, r.SessionID) for r in stored] == [("S-YAO", "practice")]


def class_photo(engine: FaceEngine, photos: list[Path], *, columns: int = 6) -> bytes:
    """A class photo made of real portraits: each face cropped with its surroundings, in a grid."""
    cell = 200
    rows_needed = -(-len(photos) // columns)
    sheet = Image.new("RGB", (columns * cell, rows_needed * cell), "gray")
    for k, path in enumerate(photos):
        decoded = decode_image(path.read_bytes(), max_bytes=50_000_000, max_pixels=100_000_000)
        face = max(engine.detect(decoded.pixels), key=lambda f: f.bbox.area)
        cx, cy = (face.bbox.x1 + face.bbox.x2) / 2, (face.bbox.y1 + face.bbox.y2) / 2
        half = max(face.bbox.width, face.bbox.height) * 0.9
        portrait = Image.fromarray(decoded.pixels[:, :, ::-1])  # BGR to RGB
        box = (int(cx - half), int(cy - half), int(cx + half), int(cy + half))
        sheet.paste(
            portrait.crop(box).resize((cell, cell)), ((k % columns) * cell, (k // columns) * cell)
        )
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_class_photo_of_30_marks_the_20_enrolled_students_once_each(
    client: TestClient, settings: Settings, facedata: Facedata, engine: FaceEngine
) -> None:
    labelled = facedata.labelled_single_faces()
    photos: dict[str, list[Path]] = {}
    for row in labelled:
        plain = not any(t in row["tags"] for t in ("hard", "format", "rotat"))
        if plain and row["faces_expected"] == "1" and row["identity"] != "deepface_angelina":
            photos.setdefault(row["identity"], []).append(facedata.path(row["file"]))
    people = sorted(i for i, p in photos.items() if len(p) >= 2)
    assert len(people) >= 30
    enrolled, strangers = people[:20], people[20:30]
    ids = {identity: f"S-{n:02d}" for n, identity in enumerate(enrolled)}
    for identity in enrolled:
        add_student(client, ids[identity], photos[identity][0], name=identity, class_name="7B")
    # Other photos of the enrolled students, and ten people nobody enrolled, in a shuffled grid.
    cells = [photos[i][1] for i in enrolled] + [photos[i][0] for i in strangers]
    random.Random(4).shuffle(cells)
    picture = class_photo(engine, cells)

    result = take(client, picture, class_name="7B")
    assert result["faces_found"] == 30
    assert sorted(p["person_id"] for p in result["present"]) == sorted(ids.values())
    assert len(result["unknown"]) == 10 and result["needs_review"] == []
    assert len(rows(settings, select(AttendanceRecords))) == 20

    again = take(client, picture, class_name="7B")
    assert len(again["present"]) == 20 and len(rows(settings, select(AttendanceRecords))) == 20
    absent = client.get("/v1/attendance/absentees", params={"class_name": "7B", "date": DAY})
    assert absent.json()["absentees"] == []
