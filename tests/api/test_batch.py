"""POST /v1/faces/batch over the real app (SQLite and MariaDB): a zip in, a report out, the people
then identified; and the archives refused as a whole, with nothing written."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from facerec.config import Settings
from facerec.store.tables import FaceData, Student, Teacher
from tests.conftest import Facedata, assert_error, count, identify, make_settings, start_app


def make_zip(entries: dict[str, bytes | Path], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content.read_bytes() if isinstance(content, Path) else content)
    return buffer.getvalue()


def post_batch(client: TestClient, archive: bytes, **data: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/faces/batch", files={"archive": ("batch.zip", archive, "application/zip")}, data=data
    )


def test_batch_enrolls_people_who_are_then_identified_and_a_resend_writes_nothing(
    client: TestClient, settings: Settings, facedata: Facedata
) -> None:
    blair, putin = facedata.of_identity("Tony_Blair"), facedata.of_identity("Vladimir_Putin")
    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    archive = make_zip(
        {
            "students/S-001/a.jpg": blair[0],
            "students/S-001/b.jpg": blair[1],
            "teachers/T-1/a.jpg": facedata.of_identity("George_W_Bush")[0],
            "S-002/a.jpg": putin[1],  # the default person_type of the request
            "S-003/a.jpg": no_face,
        }
    )
    response = post_batch(client, archive, person_type="teacher")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"] == {"items": 5, "enrolled": 4, "already_enrolled": 0, "failed": 1}
    failed = [i for i in body["items"] if i["status"] == "failed"]
    assert [(i["source"], i["person_id"], i["error"]["code"]) for i in failed] == [
        ("S-003/a.jpg", "S-003", "no_face_found")
    ]
    assert failed[0]["face_id"] is None and failed[0]["error"]["message"]
    enrolled = {(i["person_type"], i["person_id"]) for i in body["items"] if i["face_id"]}
    assert enrolled == {("student", "S-001"), ("teacher", "T-1"), ("teacher", "S-002")}
    assert count(settings, FaceData) == 4
    assert (count(settings, Student), count(settings, Teacher)) == (1, 2)  # no S-003

    for photo, who in [(blair[5], ("student", "S-001")), (putin[3], ("teacher", "S-002"))]:
        found = identify(client, photo).json()["faces"]
        match = next(f["match"] for f in found if f["match"])
        assert (match["person_type"], match["person_id"]) == who

    again = post_batch(client, archive, person_type="teacher").json()
    assert again["totals"] == {"items": 5, "enrolled": 0, "already_enrolled": 4, "failed": 1}
    first_ids = {i["source"]: i["face_id"] for i in body["items"]}
    assert all(i["face_id"] == first_ids[i["source"]] for i in again["items"])
    assert count(settings, FaceData) == 4


def test_archives_refused_as_a_whole_write_nothing(tmp_path: Path, samples: Path) -> None:
    settings = make_settings(
        tmp_path, max_image_bytes=20_000, max_batch_bytes=200_000, max_batch_files=2
    )
    photo = samples / "yaoming.jpg"  # 21 kB: over this image limit
    noise = random.Random(0).randbytes(1_150_000)  # does not compress
    with TestClient(start_app(settings)) as client:
        assert_error(post_batch(client, b"these are not the photos"), 422, "invalid_input")
        too_many = make_zip({"S-1/a.jpg": photo, "S-2/a.jpg": photo, "S-3/a.jpg": photo})
        refused = post_batch(client, too_many)
        assert_error(refused, 422, "invalid_input")
        assert "over the limit of 2" in refused.json()["error"]["message"]
        no_header = make_zip({"mapping.csv": b"a.jpg,S-1\n", "a.jpg": photo})
        assert_error(post_batch(client, no_header), 422, "invalid_input")
        assert_error(
            post_batch(client, make_zip({"S-1/a.jpg": b"x"}), person_type="parent"),
            422,
            "invalid_input",
        )
        assert_error(
            client.post("/v1/faces/batch", data={"person_type": "student"}), 422, "invalid_input"
        )

        # 1.15 MB: over the 1.09 MB body limit of every other route, under the batch route's own
        # (the batch limit + 1 MiB), so it reaches the service, which refuses it.
        over = make_zip({"S-1/a.bin": noise}, method=zipfile.ZIP_STORED)
        refused = post_batch(client, over)
        assert_error(refused, 413, "image_too_large")
        assert "archive is over the limit of 200000" in refused.json()["error"]["message"]
        huge = client.post(
            "/v1/faces/batch", content=b"0" * 1_300_000, headers={"Content-Type": "application/zip"}
        )
        assert_error(huge, 413, "image_too_large")
        assert "request body" in huge.json()["error"]["message"]

        # A photo over the image limit fails alone, before it is decompressed.
        single = post_batch(client, make_zip({"S-1/a.jpg": photo}))
        assert single.status_code == 200, single.text
        item = single.json()["items"][0]
        assert (item["status"], item["error"]["code"]) == ("failed", "image_too_large")
    assert (count(settings, FaceData), count(settings, Student)) == (0, 0)
