"""Bulk enrollment as a use case, with real photos, real models and real databases (SQLite, MariaDB):
both layouts, per-item failures, idempotent re-runs, and what refuses a whole archive."""

from __future__ import annotations

import io
import random
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from facerec.config import Settings
from facerec.errors import ImageTooLarge, InvalidInput
from facerec.service import batch
from facerec.service.batch import BatchReport, ItemResult
from facerec.service.faces import Overrides
from facerec.service.runtime import Runtime, start_runtime
from facerec.store.tables import FaceData, Student
from tests.conftest import Facedata, make_settings

Entries = dict[str, "bytes | Path"]


def make_zip(entries: Entries) -> io.BytesIO:
    """A zip archive in memory; a name ending in '/' is a directory entry."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            data = content.read_bytes() if isinstance(content, Path) else content
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def faces_per_person(runtime: Runtime) -> Counter[str]:
    with runtime.database.session() as session:
        rows = session.execute(select(FaceData.StudentID, FaceData.TeacherID)).all()
    return Counter(f"student:{s}" if s else f"teacher:{t}" for s, t in rows)


def outcome(report: BatchReport) -> dict[str, tuple[str, str | None]]:
    """source -> (status, error code)"""
    return {i.source: (i.status.value, i.error.code if i.error else None) for i in report.items}


def start(settings: Settings) -> Iterator[Runtime]:
    runtime = start_runtime(settings)
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    yield from start(settings)


def test_folders_each_photo_its_own_fate_and_a_rerun_writes_nothing(
    runtime: Runtime, facedata: Facedata
) -> None:
    blair, bush = facedata.of_identity("Tony_Blair"), facedata.of_identity("George_W_Bush")
    putin = facedata.of_identity("Vladimir_Putin")
    no_face = facedata.path(facedata.with_identity("NONE")[0]["file"])
    truncated = next(p for p in facedata.of_identity("INVALID") if p.name == "truncated.jpg")
    archive = make_zip(
        {  # zipped as a folder: one wrapping folder, macOS leftovers, directory entries
            "upload/": b"",
            "upload/students/S-001/": b"",
            "upload/students/S-001/1.jpg": blair[0],
            "upload/students/S-001/2.jpg": blair[1],
            "upload/students/S-001/copy-of-1.jpg": blair[0],
            "upload/teachers/T-1/a.jpg": bush[0],
            "upload/S-002/p.jpg": putin[1],  # a bare folder: the batch's default, teacher
            "upload/S-003/landscape.jpg": no_face,
            "upload/S-004/broken.jpg": truncated,
            "upload/S-005/notes.txt": b"not a photo",
            "upload/S-006/deeper/x.jpg": putin[2],
            "upload/z-dup/blair.jpg": blair[2],  # sorted last: by then, Blair is S-001
            "upload/.DS_Store": b"\0\0\0\1Bud1",
            "__MACOSX/upload/._1.jpg": b"\0\5\26\7",
            "../S-007/escape.jpg": blair[3],
        }
    )
    seen: list[ItemResult] = []
    report = batch.enroll_batch(
        runtime.recognizer,
        items=batch.items_from_zip(
            archive, default_person_type="teacher", settings=runtime.settings
        ),
        progress=seen.append,
    )
    expected = {  # in path order; unsafe names last, never read
        "upload/S-002/p.jpg": ("enrolled", None),
        "upload/S-003/landscape.jpg": ("failed", "no_face_found"),
        "upload/S-004/broken.jpg": ("failed", "corrupt_image"),
        "upload/S-005/notes.txt": ("failed", "unsupported_image"),
        "upload/S-006/deeper/x.jpg": ("failed", "invalid_input"),
        "upload/students/S-001/1.jpg": ("enrolled", None),
        "upload/students/S-001/2.jpg": ("enrolled", None),
        "upload/students/S-001/copy-of-1.jpg": ("already_enrolled", None),
        "upload/teachers/T-1/a.jpg": ("enrolled", None),
        "upload/z-dup/blair.jpg": ("failed", "duplicate_face"),
        "../S-007/escape.jpg": ("failed", "invalid_input"),
    }
    assert list(outcome(report).items()) == list(expected.items())
    assert seen == list(report.items)
    by_source = {i.source: i for i in report.items}
    bare = by_source["upload/S-002/p.jpg"]
    assert (bare.person_type, bare.person_id) == ("teacher", "S-002")
    copy = by_source["upload/students/S-001/copy-of-1.jpg"]
    assert copy.face_id == by_source["upload/students/S-001/1.jpg"].face_id
    duplicate = by_source["upload/z-dup/blair.jpg"].error
    assert duplicate is not None and duplicate.details is not None
    assert duplicate.details["person_id"] == "S-001"
    assert (report.enrolled, report.already_enrolled, report.failed) == (4, 1, 6)
    assert faces_per_person(runtime) == {"student:S-001": 2, "teacher:T-1": 1, "teacher:S-002": 1}

    again = batch.enroll_batch(
        runtime.recognizer,
        items=batch.items_from_zip(
            archive, default_person_type="teacher", settings=runtime.settings
        ),
    )
    statuses = Counter(status for status, _ in outcome(again).values())
    assert statuses == {"already_enrolled": 5, "failed": 6}
    assert faces_per_person(runtime) == {"student:S-001": 2, "teacher:T-1": 1, "teacher:S-002": 1}


@pytest.fixture
def small_runtime(tmp_path: Path, database_url: str | None) -> Iterator[Runtime]:
    # players.jpg (375 kB) is over this limit, the Obama and Biden photos are under it.
    yield from start(make_settings(tmp_path, database_url=database_url, max_image_bytes=300_000))


def test_mapping_csv_rows_fail_one_by_one_and_overrides_apply(
    small_runtime: Runtime, facedata: Facedata, samples: Path
) -> None:
    runtime = small_runtime
    obama = next(p for p in facedata.of_identity("Barack_Obama") if p.name == "obama.jpg")
    biden = next(p for p in facedata.of_identity("Joe_Biden") if p.name == "biden2.jpg")
    turned = next(p for p in facedata.of_identity("George_W_Bush") if p.name.endswith("0004.jpg"))
    mapping = (
        "File,Person_Type,Person_ID,Name,Class_Name\n"  # headers in any case
        "obama.jpg,student,S-010,Barack Obama,5B\n"
        "photos/biden.jpg,,S-011,,\n"  # no person_type: the batch's default
        "yao.jpg,parent,P-1,,\n"
        "yao.jpg,student,../x,,\n"
        "missing.jpg,student,S-012,,\n"
        "players.jpg,student,S-013,,\n"
        "\n"
        "bush.jpg,teacher,T-20\n"  # a short row: name and class_name are optional
    )
    archive = make_zip(
        {
            "mapping.csv": mapping.encode("utf-8-sig"),  # as Excel saves it, with a BOM
            "obama.jpg": obama,
            "photos/biden.jpg": biden,
            "yao.jpg": samples / "yaoming.jpg",
            "players.jpg": samples / "players.jpg",
            "bush.jpg": turned,  # looks away: fails the quality gate
            "not-listed.jpg": samples / "yaoming.jpg",  # the CSV is the list: ignored
        }
    )
    report = batch.enroll_archive(
        runtime.recognizer, archive=archive, default_person_type="student"
    )
    assert [(i.source, i.person_type, i.person_id, i.status.value) for i in report.items] == [
        ("obama.jpg", "student", "S-010", "enrolled"),
        ("photos/biden.jpg", "student", "S-011", "enrolled"),
        ("yao.jpg", "parent", "P-1", "failed"),
        ("yao.jpg", "student", "../x", "failed"),
        ("missing.jpg", "student", "S-012", "failed"),
        ("players.jpg", "student", "S-013", "failed"),
        ("bush.jpg", "teacher", "T-20", "failed"),
    ]
    codes = [i.error.code for i in report.items if i.error]
    assert codes == ["invalid_input"] * 3 + ["image_too_large", "poor_quality"]
    assert "not in the archive" in report.items[4].error.message  # type: ignore[union-attr]
    assert faces_per_person(runtime) == {"student:S-010": 1, "student:S-011": 1}
    with runtime.database.session() as session:
        assert session.execute(
            select(Student.Name, Student.ClassName).where(Student.StudentID == "S-010")
        ).one() == ("Barack Obama", "5B")

    archive.seek(0)
    overridden = batch.enroll_archive(
        runtime.recognizer,
        archive=archive,
        default_person_type="student",
        overrides=Overrides(poor_quality=True),
    )
    assert [i.status.value for i in overridden.items] == [
        "already_enrolled",
        "already_enrolled",
        "failed",
        "failed",
        "failed",
        "failed",
        "enrolled",
    ]
    enrollment = overridden.items[-1].enrollment
    assert enrollment is not None and not enrollment.quality.passed
    assert faces_per_person(runtime) == {"student:S-010": 1, "student:S-011": 1, "teacher:T-20": 1}


def test_what_refuses_the_whole_batch(tmp_path: Path, samples: Path) -> None:
    settings = make_settings(tmp_path, max_batch_files=2, max_batch_bytes=100_000)
    photo = samples / "yaoming.jpg"

    def plan(archive: io.BytesIO, person_type: str = "student") -> list[batch.PlannedItem]:
        return batch.items_from_zip(archive, default_person_type=person_type, settings=settings)

    refusals = {
        "not a zip": (io.BytesIO(b"PK\3\4 but not really a zip"), "not a zip archive"),
        "empty": (io.BytesIO(b""), "not a zip archive"),
        "no header": (
            make_zip({"mapping.csv": b"a.jpg,student,S-1\n", "a.jpg": photo}),
            "header row with file and person_id",
        ),
        "bad csv": (  # a field over the csv module's limit
            make_zip({"mapping.csv": b"file,person_id\na.jpg," + b"x" * 200_000, "a.jpg": photo}),
            "line 2 is not valid CSV",
        ),
        "too many": (
            make_zip({"S-1/a.jpg": photo, "S-2/b.jpg": photo, "S-3/c.jpg": photo}),
            "3 photos, over the limit of 2",
        ),
        "nothing": (make_zip({".DS_Store": b"x", "S-1/": b""}), "no photos found"),
    }
    for case, (archive, message) in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            plan(archive)
        assert message in refused.value.message, case
    with pytest.raises(InvalidInput, match="person_type must be"):
        plan(make_zip({"S-1/a.jpg": photo}), person_type="parent")
    noise = random.Random(0).randbytes(60_000)  # does not compress
    big = make_zip({"S-1/a.bin": noise, "S-2/b.bin": noise[::-1]})
    with pytest.raises(ImageTooLarge, match="archive is over the limit of 100000"):
        plan(big)
    with pytest.raises(InvalidInput, match="is not a folder"):
        batch.items_from_directory(
            tmp_path / "nowhere", default_person_type="student", settings=settings
        )
