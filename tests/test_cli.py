"""The command line, run as a user runs it: a process, environment settings, JSON out, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import pytest
from sqlalchemy import create_engine, update

from facerec.store.tables import FaceData
from tests.conftest import Facedata, run_facerec


@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    values = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    if database_url:
        values["FACEREC_DATABASE_URL"] = database_url
    return values


def facerec(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_facerec(*args, env=env, cwd=Path(env["FACEREC_DATA_DIR"]).parent)


def test_enroll_identify_verify_reindex(env: dict[str, str], samples: Path) -> None:
    enrolled = facerec(env, "enroll", samples / "yaoming.jpg", "--student", "S7", "--name", "Yao")
    assert enrolled.returncode == 0, enrolled.stderr
    face_id = json.loads(enrolled.stdout)["face_id"]

    identified = facerec(env, "identify", samples / "players.jpg")
    assert identified.returncode == 0, identified.stderr
    matches = [f["match"] for f in json.loads(identified.stdout)["faces"] if f["match"]]
    assert [(m["person_id"], m["face_id"]) for m in matches] == [("S7", face_id)]

    same = facerec(env, "verify", samples / "yaoming.jpg", samples / "yaoming.jpg")
    assert same.returncode == 0 and json.loads(same.stdout)["same_person"] is True
    different = facerec(env, "verify", samples / "yaoming.jpg", samples / "gdp.jpg")
    assert different.returncode == 10 and json.loads(different.stdout)["same_person"] is False

    reindexed = facerec(env, "reindex")
    assert reindexed.returncode == 0 and json.loads(reindexed.stdout) == {
        "indexed": 1,
        "reembedded": 0,
        "failed": [],
    }


def test_reindex_reembeds_faces_of_another_model_pack(
    env: dict[str, str], samples: Path, tmp_path: Path
) -> None:
    assert facerec(env, "enroll", samples / "yaoming.jpg", "--teacher", "T1").returncode == 0
    url = env.get("FACEREC_DATABASE_URL") or f"sqlite:///{tmp_path / 'data' / 'facerec.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # as if it had been enrolled under another pack
        conn.execute(
            update(FaceData).values(ModelPack="buffalo_l", FaceDescriptor=[0.0] * 511 + [1.0])
        )
    engine.dispose()
    assert json.loads(facerec(env, "reindex").stdout)["indexed"] == 0
    identified = json.loads(facerec(env, "identify", samples / "players.jpg").stdout)
    assert all(f["match"] is None for f in identified["faces"])

    reembedded = facerec(env, "reindex", "--reembed")
    assert json.loads(reembedded.stdout) == {"indexed": 1, "reembedded": 1, "failed": []}
    identified = json.loads(facerec(env, "identify", samples / "players.jpg").stdout)
    assert [f["match"]["person_id"] for f in identified["faces"] if f["match"]] == ["T1"]


def test_errors_have_exit_codes_and_messages(
    env: dict[str, str], samples: Path, facedata: Facedata
) -> None:
    both = facerec(env, "enroll", samples / "yaoming.jpg", "--student", "a", "--teacher", "b")
    assert both.returncode == 2 and "exactly one" in both.stderr
    missing = facerec(env, "enroll", samples / "nope.jpg", "--student", "a")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    result = facerec(env, "enroll", no_face, "--student", "a")
    assert result.returncode == 4 and "no_face_found" in result.stderr
    broken = facedata.path(
        next(r["file"] for r in facedata.with_identity("INVALID") if "truncated" in r["file"])
    )
    result = facerec(env, "identify", broken)
    assert result.returncode == 3 and "corrupt_image" in result.stderr
    bad_id = facerec(env, "enroll", samples / "yaoming.jpg", "--student", "../x")
    assert bad_id.returncode == 2 and "invalid_input" in bad_id.stderr


@pytest.mark.parametrize(
    ("setting", "value", "exit_code", "message"),
    [
        (
            "FACEREC_DATABASE_URL",
            "mysql+pymysql://root@127.0.0.1:1/nowhere",
            8,
            "storage_unavailable",
        ),
        ("FACEREC_MODEL_PACK", "buffalo_l", 7, "facerec models download buffalo_l"),
        ("FACEREC_PROVIDERS", "CUDAExecutionProvider", 7, "not available in this onnxruntime"),
    ],
)
def test_serve_fails_fast_with_one_clear_line(
    tmp_path: Path, setting: str, value: str, exit_code: int, message: str
) -> None:
    env = {
        "FACEREC_DATA_DIR": str(tmp_path / "data"),
        "FACEREC_MODELS_DIR": str(tmp_path / "models"),
        "FACEREC_MODEL_DOWNLOAD": "false",
        setting: value,
    }
    result = facerec(env, "serve", "--port", "1")
    assert result.returncode == exit_code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_enroll_exit_codes_for_the_gate_and_its_overrides(
    env: dict[str, str], samples: Path, tmp_path: Path
) -> None:
    photo = samples / "yaoming.jpg"
    blurred = tmp_path / "blurred.jpg"
    assert cv2.imwrite(str(blurred), cv2.GaussianBlur(cv2.imread(str(photo)), (0, 0), 3))

    poor = facerec(env, "enroll", blurred, "--student", "S1")
    assert poor.returncode == 11, poor.stderr
    assert "poor_quality" in poor.stderr and "low_sharpness" in poor.stderr
    assert poor.stdout == "" and "Traceback" not in poor.stderr
    forced = facerec(env, "enroll", blurred, "--student", "S1", "--allow-poor-quality")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["quality"]["reasons"] == ["low_sharpness"]

    same_person = facerec(env, "enroll", photo, "--student", "S1")  # a second photo: fine
    assert same_person.returncode == 0, same_person.stderr
    duplicate = facerec(env, "enroll", photo, "--teacher", "T1")
    assert duplicate.returncode == 6, duplicate.stderr
    assert "duplicate_face" in duplicate.stderr and "student S1" in duplicate.stderr
    forced = facerec(env, "enroll", photo, "--teacher", "T1", "--allow-duplicate")
    assert forced.returncode == 0, forced.stderr
    [warning] = json.loads(forced.stdout)["warnings"]
    assert "matches student S1" in warning
