"""Face management, bad input and access control over the real app (SQLite and MariaDB)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from facerec.config import Settings
from facerec.engine.models import PACKS
from facerec.store.tables import FaceData, FaceRecognitionLogs, Student
from tests.conftest import Facedata, assert_error, count, enroll, identify, make_settings, start_app


def post_image(client: TestClient, path: str, payload: bytes, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, files={"image": ("upload.jpg", payload)}, data=data)


def test_face_lifecycle_list_get_image_delete(client: TestClient, samples: Path) -> None:
    first = enroll(client, samples / "yaoming.jpg", "student", "S1").json()
    # gdp.jpg has five people of similar size: whose face would it enrol? Refused, then overridden.
    refused = enroll(client, samples / "gdp.jpg", "teacher", "T1")
    assert_error(refused, 422, "poor_quality")
    assert "multiple_faces" in refused.json()["error"]["details"]["reasons"]
    second = enroll(client, samples / "gdp.jpg", "teacher", "T1", allow_poor_quality="true").json()
    assert second["faces_in_image"] == 5
    assert second["quality"]["passed"] is False
    assert second["quality"]["reasons"] == refused.json()["error"]["details"]["reasons"]
    assert any("enrolled despite poor quality" in w for w in second["warnings"])

    listed = client.get("/v1/faces", params={"person_type": "student", "person_id": "S1"}).json()
    assert listed["total"] == 1 and listed["items"][0]["face_id"] == first["face_id"]
    assert client.get("/v1/faces").json()["total"] == 2
    assert client.get("/v1/faces", params={"person_type": "teacher"}).json()["total"] == 1

    got = client.get(f"/v1/faces/{first['face_id']}").json()
    assert got["person_id"] == "S1" and got["model_pack"] == "bundled"
    assert got["created_at"].endswith(("Z", "+00:00"))
    assert "embedding" not in got and "FaceDescriptor" not in got

    image = client.get(f"/v1/faces/{first['face_id']}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content == (samples / "yaoming.jpg").read_bytes()

    assert client.delete(f"/v1/faces/{first['face_id']}").status_code == 204
    assert_error(client.get(f"/v1/faces/{first['face_id']}"), 404, "face_not_found")
    assert_error(client.delete(f"/v1/faces/{first['face_id']}"), 404, "face_not_found")
    # Deleted from the index too: nobody matches any more.
    assert all(
        f["match"] is None for f in identify(client, samples / "players.jpg").json()["faces"]
    )


def test_broken_files_get_4xx_and_write_nothing(
    client: TestClient, settings: Settings, facedata: Facedata, samples: Path
) -> None:
    invalid = {
        Path(r["file"]).name: facedata.path(r["file"]) for r in facedata.with_identity("INVALID")
    }
    assert len(invalid) == 3
    # corrupted.png has a PNG signature and a broken header; empty.png is 5 bytes of text.
    expected = {"corrupted.png": 400, "empty.png": 415, "truncated.jpg": 400}
    for name, path in invalid.items():
        response = enroll(client, path, "student", "S-broken")
        assert 400 <= response.status_code < 500 and response.status_code == expected[name], name
        assert response.json()["error"]["code"] in {"unsupported_image", "corrupt_image"}
    assert_error(
        post_image(client, "/v1/faces", b"", person_type="student", person_id="S-x"),
        400,
        "empty_image",
    )
    assert_error(
        post_image(client, "/v1/identify", b"%PDF-1.4 not an image"), 415, "unsupported_image"
    )
    no_face = facedata.with_identity("NONE")[0]
    response = enroll(client, facedata.path(no_face["file"]), "student", "S-none")
    assert_error(response, 422, "no_face_found")
    # Nothing half-written: no person, no face.
    assert count(settings, Student) == 0 and count(settings, FaceData) == 0


def test_image_limits(tmp_path: Path, samples: Path) -> None:
    settings = make_settings(tmp_path, max_image_bytes=20_000, max_image_pixels=100_000)
    with TestClient(start_app(settings)) as client:
        big = (samples / "players.jpg").read_bytes()  # 374 kB
        assert_error(post_image(client, "/v1/detect", big), 413, "image_too_large")
        buffer = io.BytesIO()
        Image.new("L", (1000, 1000)).save(buffer, format="PNG")  # 1 Mpx in a few kB
        assert len(buffer.getvalue()) < 20_000
        assert_error(post_image(client, "/v1/detect", buffer.getvalue()), 413, "image_too_large")
        # A body far over the limit is refused from its Content-Length, before it is read.
        huge = client.post(
            "/v1/detect", content=b"0" * 2_000_000, headers={"Content-Type": "image/jpeg"}
        )
        assert_error(huge, 413, "image_too_large")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"person_type": "parent", "person_id": "P1"}, "invalid_input"),
        ({"person_type": "student", "person_id": ""}, "invalid_input"),
        ({"person_type": "student", "person_id": "x" * 65}, "invalid_input"),
        ({"person_type": "student", "person_id": "../etc"}, "invalid_input"),
        ({"person_type": "student"}, "invalid_input"),
    ],
)
def test_enroll_validation(
    module_client: TestClient, samples: Path, data: dict[str, str], code: str
) -> None:
    with (samples / "yaoming.jpg").open("rb") as handle:
        response = module_client.post("/v1/faces", files={"image": ("y.jpg", handle)}, data=data)
    assert_error(response, 422, code)


def test_request_validation_errors_share_the_shape(
    module_client: TestClient, samples: Path
) -> None:
    assert_error(module_client.post("/v1/identify"), 422, "invalid_input")
    assert_error(module_client.get("/v1/faces/not-a-number"), 422, "invalid_input")
    assert_error(module_client.get("/v1/nowhere"), 404, "not_found")
    assert_error(
        post_image(module_client, "/v1/identify", (samples / "gdp.jpg").read_bytes(), top_k="0"),
        422,
        "invalid_input",
    )
    assert_error(module_client.get("/v1/faces", params={"person_id": "S1"}), 422, "invalid_input")


def test_verify_no_face_is_422_and_logged(
    client: TestClient, settings: Settings, facedata: Facedata, samples: Path
) -> None:
    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    with (samples / "yaoming.jpg").open("rb") as a, no_face.open("rb") as b:
        response = client.post("/v1/verify", files={"image1": ("a.jpg", a), "image2": ("b.jpg", b)})
    assert_error(response, 422, "no_face_found")
    assert "image2" in response.json()["error"]["message"]
    assert count(settings, FaceRecognitionLogs) == 1


def test_api_keys_guard_every_v1_route(tmp_path: Path, samples: Path) -> None:
    settings = make_settings(tmp_path, api_keys=["s3cret"])
    with TestClient(start_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
        assert_error(client.get("/v1/faces"), 401, "unauthorized")
        assert_error(client.get("/v1/info", headers={"X-API-Key": "wrong"}), 401, "unauthorized")
        assert_error(enroll(client, samples / "yaoming.jpg", "student", "S1"), 401, "unauthorized")
        assert client.get("/v1/faces/1/image").status_code == 401
        assert client.get("/v1/info", headers={"X-API-Key": "s3cret"}).status_code == 200


def test_info_health_ready_and_docs(client: TestClient) -> None:
    info = client.get("/v1/info").json()
    assert info["model_pack"] == "bundled" and info["embedding_size"] == 512
    assert info["provider"] == "CPUExecutionProvider"
    bundled = PACKS["bundled"]
    assert info["threshold"] == bundled.default_threshold
    assert info["review_from"] == round(bundled.review_threshold, 4)
    assert info["threshold_calibration"] == bundled.calibration
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {
        "status": "ready",
        "model_loaded": True,
        "database": True,
    }
    spec = client.get("/openapi.json").json()
    assert {"/v1/faces", "/v1/verify", "/v1/identify", "/v1/detect", "/v1/info"} <= set(
        spec["paths"]
    )
    assert {"201", "413", "415", "422"} <= set(spec["paths"]["/v1/faces"]["post"]["responses"])
    assert client.get("/docs").status_code == 200


def test_cors_is_configurable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, cors_origins=["https://school.example"])
    with TestClient(start_app(settings)) as client:
        response = client.options(
            "/v1/info",
            headers={"Origin": "https://school.example", "Access-Control-Request-Method": "GET"},
        )
        assert response.headers["access-control-allow-origin"] == "https://school.example"


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (1, 3000), (3000, 1), (7000, 5000)])
def test_degenerate_images_are_answered_not_crashed(
    module_client: TestClient, size: tuple[int, int]
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 100, 90)).save(buffer, format="PNG")
    assert post_image(module_client, "/v1/detect", buffer.getvalue()).json() == {"faces": []}
    assert post_image(module_client, "/v1/identify", buffer.getvalue()).json()["faces"] == []
    enrolled = post_image(
        module_client, "/v1/faces", buffer.getvalue(), person_type="student", person_id="a"
    )
    assert_error(enrolled, 422, "no_face_found")
