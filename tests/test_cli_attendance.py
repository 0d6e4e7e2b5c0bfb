"""``facerec attendance``, ``report`` and ``absentees`` run as a user runs them, on SQLite and on
MariaDB: the records they print are the database's, and the same as the API's for the same data."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from facerec.api.app import create_app
from facerec.config import Settings
from facerec.store.tables import AttendanceRecords, FaceRecognitionLogs
from tests.conftest import Facedata, make_settings, run_facerec

DAY = "2026-11-26"
TWO_PEOPLE = "face_recognition/examples/two_people.jpg"  # Obama on the left, Biden on the right


@pytest.fixture
def env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    values = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    if database_url:
        values["FACEREC_DATABASE_URL"] = database_url
    return values


def facerec(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_facerec(*args, env=env, cwd=Path(env["FACEREC_DATA_DIR"]).parent)


def stored_ids(settings: Settings) -> list[int]:
    """The AttendanceRecords ids in the report's order (date, session, person)."""
    engine = create_engine(settings.sqlalchemy_url().get_secret_value())
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    select(AttendanceRecords.RecordID).order_by(
                        AttendanceRecords.AttendanceDate,
                        AttendanceRecords.SessionID,
                        AttendanceRecords.PersonKey,
                    )
                )
            )
    finally:
        engine.dispose()


def present(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    assert result.returncode == 0, result.stderr
    body: dict[str, Any] = json.loads(result.stdout)
    return sorted((p["person_id"], p["marked"]) for p in body["present"])


def test_attendance_from_the_command_line_and_its_reports(
    env: dict[str, str], settings: Settings, facedata: Facedata, tmp_path: Path
) -> None:
    """``settings`` (conftest's) names the same data folder and database as ``env``."""
    photos = facedata.path("face_recognition/tests/test_images")
    for photo, person_id, name in [
        ("obama.jpg", "S-OB", "Barack Obama"),
        ("biden.jpg", "S-JB", "Joe Biden"),
    ]:
        enrolled = facerec(
            env, "enroll", photos / photo, "--student", person_id, "--name", name, "--class", "5A"
        )
        assert enrolled.returncode == 0, enrolled.stderr

    group = facedata.path(TWO_PEOPLE)
    first = facerec(env, "attendance", group, "--class", "5A", "--date", DAY)
    assert present(first) == [("S-JB", "new"), ("S-OB", "new")]
    assert json.loads(first.stdout)["session"] == {
        "date": DAY,
        "session_id": "",
        "class_name": "5A",
    }
    again = facerec(env, "attendance", group, "--class", "5A", "--date", DAY)
    assert present(again) == [("S-JB", "already_present"), ("S-OB", "already_present")]
    assert len(stored_ids(settings)) == 2
    other = facerec(env, "attendance", group, "--date", "2026-11-27", "--session", "p1")
    assert present(other) == [("S-JB", "new"), ("S-OB", "new")]
    assert len(stored_ids(settings)) == 4

    # The same data through the API: the class given by `enroll --class`, one more student, and
    # what it exports.
    with TestClient(create_app(settings)) as client:
        for person_id in ("S-OB", "S-JB"):
            assert client.get(f"/v1/students/{person_id}").json()["class_name"] == "5A"
        assert client.post(
            "/v1/students", json={"person_id": "S-CX", "name": "Chris", "class_name": "5A"}
        ).is_success
        api_csv = client.get(f"/v1/attendance/export.csv?from={DAY}&to={DAY}").content
        api_all_csv = client.get("/v1/attendance/export.csv").content
        api_records = client.get(f"/v1/attendance?from={DAY}&to={DAY}").json()["records"]

    report = facerec(env, "report", "--from", DAY, "--to", DAY, "--format", "csv")
    assert report.returncode == 0, report.stderr
    assert report.stdout == api_csv.decode().replace("\r\n", "\n")  # text mode reads \r\n as \n
    lines = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [int(line["record_id"]) for line in lines] == stored_ids(settings)[:2]
    assert [(line["person_id"], line["status"], line["class_name"]) for line in lines] == [
        ("S-JB", "present", "5A"),
        ("S-OB", "present", "5A"),
    ]
    as_json = facerec(env, "report", "--from", DAY, "--to", DAY, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == api_records

    out = tmp_path / "attendance.csv"
    written = facerec(env, "report", "--out", out)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "" and "4 records written" in written.stderr
    assert out.read_bytes() == api_all_csv
    with out.open(newline="") as handle:
        assert [int(line["record_id"]) for line in csv.DictReader(handle)] == stored_ids(settings)

    one = facerec(env, "report", "--student", "S-OB", "--format", "json")
    assert [(r["person_id"], r["date"]) for r in json.loads(one.stdout)] == [
        ("S-OB", DAY),
        ("S-OB", "2026-11-27"),
    ]

    absent = facerec(env, "absentees", "--class", "5A", "--date", DAY)
    assert absent.returncode == 0, absent.stderr
    assert json.loads(absent.stdout) == {
        "session": {"date": DAY, "session_id": "", "class_name": "5A"},
        "absentees": [{"person_id": "S-CX", "name": "Chris", "class_name": "5A", "status": None}],
    }
    later = facerec(env, "absentees", "--class", "5A", "--date", DAY, "--session", "p2")
    assert [a["person_id"] for a in json.loads(later.stdout)["absentees"]] == [
        "S-CX",
        "S-JB",
        "S-OB",
    ]


def test_attendance_commands_refuse_bad_input(tmp_path: Path, facedata: Facedata) -> None:
    """On SQLite only: nothing here depends on the database."""
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "WARNING"}
    settings = make_settings(tmp_path)
    bad_format = facerec(env, "report", "--format", "xml")
    assert bad_format.returncode == 2 and "invalid_input" in bad_format.stderr
    both = facerec(env, "report", "--student", "S-1", "--teacher", "T-1")
    assert both.returncode == 2 and "invalid_input" in both.stderr
    backwards = facerec(env, "report", "--from", "2026-11-27", "--to", "2026-11-26")
    assert backwards.returncode == 2 and "invalid_input" in backwards.stderr
    not_a_date = facerec(env, "report", "--from", "2026-13-40")
    assert not_a_date.returncode == 2 and "Traceback" not in not_a_date.stderr
    no_class = facerec(env, "absentees", "--class", " ")
    assert no_class.returncode == 2 and "invalid_input" in no_class.stderr

    group = facedata.path(TWO_PEOPLE)
    bad_session = facerec(env, "attendance", group, "--session", "../x")
    assert bad_session.returncode == 2 and "invalid_input" in bad_session.stderr
    manual = facerec(env, "attendance", group, "--source", "manual")
    assert manual.returncode == 2 and "invalid_input" in manual.stderr
    broken = facedata.path(
        next(r["file"] for r in facedata.with_identity("INVALID") if "truncated" in r["file"])
    )
    result = facerec(env, "attendance", broken, "--class", "5A")
    assert result.returncode == 3 and "corrupt_image" in result.stderr
    assert stored_ids(settings) == []
    engine = create_engine(settings.sqlalchemy_url().get_secret_value())
    try:
        with engine.connect() as conn:
            logged = list(conn.execute(select(FaceRecognitionLogs)))
    finally:
        engine.dispose()
    assert [(r.Operation, r.Result, r.Client) for r in logged] == [
        ("attendance", "corrupt_image", "cli")
    ]
