"""The command line: environment settings, JSON out, exit codes; in this process, and once as the
installed command in a process of its own."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from sqlalchemy import update

from facerec.store.tables import FaceData
from tests.conftest import Facedata, Facerec, execute, make_settings, run_cli, run_facerec


@pytest.mark.slow
def test_the_installed_command_enrolls_and_identifies_in_its_own_process(
    tmp_path: Path, samples: Path
) -> None:
    """End to end, as a user runs it: the ``facerec`` entry point, settings from the environment."""
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    enrolled = run_facerec(
        "enroll", samples / "yaoming.jpg", "--student", "S7", env=env, cwd=tmp_path
    )
    assert enrolled.returncode == 0, enrolled.stderr
    identified = run_facerec("identify", samples / "players.jpg", env=env, cwd=tmp_path)
    assert identified.returncode == 0, identified.stderr
    matches = [f["match"] for f in json.loads(identified.stdout)["faces"] if f["match"]]
    assert [m["person_id"] for m in matches] == ["S7"]


def test_enroll_identify_verify_reindex(facerec: Facerec, samples: Path) -> None:
    enrolled = facerec("enroll", samples / "yaoming.jpg", "--student", "S7", "--name", "Yao")
    assert enrolled.exit_code == 0, enrolled.stderr
    face_id = json.loads(enrolled.stdout)["face_id"]

    identified = facerec("identify", samples / "players.jpg")
    assert identified.exit_code == 0, identified.stderr
    matches = [f["match"] for f in json.loads(identified.stdout)["faces"] if f["match"]]
    assert [(m["person_id"], m["face_id"]) for m in matches] == [("S7", face_id)]

    same = facerec("verify", samples / "yaoming.jpg", samples / "yaoming.jpg")
    assert same.exit_code == 0 and json.loads(same.stdout)["same_person"] is True
    different = facerec("verify", samples / "yaoming.jpg", samples / "gdp.jpg")
    assert different.exit_code == 10 and json.loads(different.stdout)["same_person"] is False

    reindexed = facerec("reindex")
    assert reindexed.exit_code == 0 and json.loads(reindexed.stdout) == {
        "indexed": 1,
        "reembedded": 0,
        "failed": [],
    }


def test_reindex_reembeds_faces_of_another_model_pack(facerec: Facerec, samples: Path) -> None:
    assert facerec("enroll", samples / "yaoming.jpg", "--teacher", "T1").exit_code == 0
    execute(  # as if it had been enrolled under another pack
        facerec.settings,
        update(FaceData).values(ModelPack="buffalo_l", FaceDescriptor=[0.0] * 511 + [1.0]),
    )
    assert json.loads(facerec("reindex").stdout)["indexed"] == 0
    identified = json.loads(facerec("identify", samples / "players.jpg").stdout)
    assert all(f["match"] is None for f in identified["faces"])

    reembedded = facerec("reindex", "--reembed")
    assert json.loads(reembedded.stdout) == {"indexed": 1, "reembedded": 1, "failed": []}
    identified = json.loads(facerec("identify", samples / "players.jpg").stdout)
    assert [f["match"]["person_id"] for f in identified["faces"] if f["match"]] == ["T1"]


def test_errors_have_exit_codes_and_messages(
    facerec: Facerec, samples: Path, facedata: Facedata
) -> None:
    both = facerec("enroll", samples / "yaoming.jpg", "--student", "a", "--teacher", "b")
    assert both.exit_code == 2 and "exactly one" in both.stderr
    missing = facerec("enroll", samples / "nope.jpg", "--student", "a")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    result = facerec("enroll", no_face, "--student", "a")
    assert result.exit_code == 4 and "no_face_found" in result.stderr
    broken = facedata.path(
        next(r["file"] for r in facedata.with_identity("INVALID") if "truncated" in r["file"])
    )
    result = facerec("identify", broken)
    assert result.exit_code == 3 and "corrupt_image" in result.stderr
    bad_id = facerec("enroll", samples / "yaoming.jpg", "--student", "../x")
    assert bad_id.exit_code == 2 and "invalid_input" in bad_id.stderr


@pytest.mark.parametrize(
    ("setting", "value", "exit_code", "message"),
    [
        (
            "database_url",
            "mysql+pymysql://root@127.0.0.1:1/nowhere",
            8,
            "storage_unavailable",
        ),
        ("model_pack", "buffalo_l", 7, "facerec models download buffalo_l"),
        ("providers", "CUDAExecutionProvider", 7, "not available in this onnxruntime"),
    ],
)
def test_serve_fails_fast_with_one_clear_line(
    tmp_path: Path, setting: str, value: str, exit_code: int, message: str
) -> None:
    settings = make_settings(tmp_path, **{setting: value})
    result = run_cli(settings, "serve", "--port", "1")
    assert result.exit_code == exit_code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_enroll_exit_codes_for_the_gate_and_its_overrides(
    facerec: Facerec, samples: Path, tmp_path: Path
) -> None:
    photo = samples / "yaoming.jpg"
    blurred = tmp_path / "blurred.jpg"
    assert cv2.imwrite(str(blurred), cv2.GaussianBlur(cv2.imread(str(photo)), (0, 0), 3))

    poor = facerec("enroll", blurred, "--student", "S1")
    assert poor.exit_code == 11, poor.stderr
    assert "poor_quality" in poor.stderr and "low_sharpness" in poor.stderr
    assert poor.stdout == "" and "Traceback" not in poor.stderr
    forced = facerec("enroll", blurred, "--student", "S1", "--allow-poor-quality")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(forced.stdout)["quality"]["reasons"] == ["low_sharpness"]

    same_person = facerec("enroll", photo, "--student", "S1")  # a second photo: fine
    assert same_person.exit_code == 0, same_person.stderr
    duplicate = facerec("enroll", photo, "--teacher", "T1")
    assert duplicate.exit_code == 6, duplicate.stderr
    assert "duplicate_face" in duplicate.stderr and "student S1" in duplicate.stderr
    forced = facerec("enroll", photo, "--teacher", "T1", "--allow-duplicate")
    assert forced.exit_code == 0, forced.stderr
    [warning] = json.loads(forced.stdout)["warnings"]
    assert "matches student S1" in warning
