"""``facerec enroll-dir``: a folder with mapping.csv, a progress bar on stderr,
the JSON report on stdout, exit 12 while some photos fail and 0 once all are in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import Facedata, Facerec


def test_enroll_dir_reports_failures_then_reruns_cleanly(
    facerec: Facerec, tmp_path: Path, facedata: Facedata
) -> None:
    folder = tmp_path / "intake"
    folder.mkdir()
    for name, photo in {
        "blair.jpg": facedata.of_identity("Tony_Blair")[0],
        "bush.jpg": facedata.of_identity("George_W_Bush")[0],
        "landscape.jpg": facedata.path(facedata.with_identity("NONE")[0]["file"]),
    }.items():
        shutil.copy(photo, folder / name)  # into the test's own temporary folder
    mapping = folder / "mapping.csv"
    rows = [
        "file,person_type,person_id,name,class_name",
        "blair.jpg,,S-1,Tony Blair,6C",
        "bush.jpg,teacher,T-1,,",
        "landscape.jpg,,S-2,,",
    ]
    mapping.write_text("\n".join(rows) + "\n")

    first = facerec("enroll-dir", folder)
    assert first.exit_code == 12, first.stderr
    report = json.loads(first.stdout)
    assert report["totals"] == {"items": 3, "enrolled": 2, "already_enrolled": 0, "failed": 1}
    assert [(i["person_type"], i["person_id"], i["status"]) for i in report["items"]] == [
        ("student", "S-1", "enrolled"),
        ("teacher", "T-1", "enrolled"),
        ("student", "S-2", "failed"),
    ]
    assert report["items"][2]["error"]["code"] == "no_face_found"
    assert "3/3" in first.stderr  # the progress bar

    mapping.write_text("\n".join(rows[:3]) + "\n")  # the operator drops the photo without a face
    second = facerec("enroll-dir", folder, "--person-type", "student")
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout)["totals"] == {
        "items": 2,
        "enrolled": 0,
        "already_enrolled": 2,
        "failed": 0,
    }

    missing = facerec("enroll-dir", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "is not a folder" in missing.stderr
