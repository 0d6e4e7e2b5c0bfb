"""``facerec enroll`` refuses a poor face (exit 11) and a duplicate face (exit 6) unless told to."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import pytest

from tests.conftest import run_facerec


@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    values = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    if database_url:
        values["FACEREC_DATABASE_URL"] = database_url
    return values


def facerec(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_facerec(*args, env=env, cwd=Path(env["FACEREC_DATA_DIR"]).parent)


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
