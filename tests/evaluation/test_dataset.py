"""Reading a labelled photo folder (MANIFEST.tsv, PAIRS_SAME.tsv, PAIRS_DIFF.tsv): what it keeps, and
the clear InvalidInput it raises for each way the folder can be wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facerec.errors import InvalidInput
from facerec.evaluation.dataset import load_dataset
from tests.conftest import Facedata

MANIFEST = [
    ("file", "identity", "faces_expected", "tags"),
    ("a/1.jpg", "Ann", "1", "grayscale,small"),
    ("a/2.jpg", "Ann", "1", "mirrored;near_duplicate_of:1.jpg"),
    ("b/1.jpg", "Bob", "1", ""),
    ("c/1.jpg", "Cy", "1", "glasses,hat;x"),
    ("group.jpg", "GROUP", "3", "group;hard:small_faces"),
    ("crowd.jpg", "GROUP", "?", "group,collage"),
    ("none.jpg", "NONE", "0", "negative:animals"),
    ("broken.png", "INVALID", "", "invalid:corrupted"),
]
SAME = [("file_a", "file_b", "identity"), ("a/1.jpg", "a/2.jpg", "Ann")]
# Ann and Bob are known to be different people; Cy is paired with nobody (may be one of them).
DIFF = [("file_a", "file_b", "identity_a", "identity_b"), ("a/1.jpg", "b/1.jpg", "Ann", "Bob")]


def write_tsv(path: Path, rows: list[tuple[str, ...]]) -> None:
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def make_dataset(
    root: Path,
    manifest: list[tuple[str, ...]] = MANIFEST,
    same: list[tuple[str, ...]] = SAME,
    diff: list[tuple[str, ...]] = DIFF,
    *,
    photos: bool = True,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if photos:  # load_dataset checks the files exist; it does not decode them
        for row in manifest[1:]:
            (root / row[0]).parent.mkdir(parents=True, exist_ok=True)
            (root / row[0]).write_bytes(b"not decoded here")
    write_tsv(root / "MANIFEST.tsv", manifest)
    write_tsv(root / "PAIRS_SAME.tsv", same)
    write_tsv(root / "PAIRS_DIFF.tsv", diff)
    return root


def test_reads_photos_pairs_and_labels(tmp_path: Path) -> None:
    dataset = load_dataset(make_dataset(tmp_path / "set"))
    assert dataset.root == tmp_path / "set"
    assert [p.file for p in dataset.photos] == [row[0] for row in MANIFEST[1:]]
    assert dataset.path("a/1.jpg") == tmp_path / "set" / "a" / "1.jpg"
    assert dataset.same_pairs == (("a/1.jpg", "a/2.jpg"),)
    assert dataset.diff_pairs == (("a/1.jpg", "b/1.jpg"),)
    labelled = {p.file: p.labelled for p in dataset.photos}
    assert [f for f, is_labelled in labelled.items() if is_labelled] == [
        "a/1.jpg",
        "a/2.jpg",
        "b/1.jpg",
        "c/1.jpg",
    ]


def test_faces_expected_is_a_count_or_none(tmp_path: Path) -> None:
    photos = {p.file: p for p in load_dataset(make_dataset(tmp_path)).photos}
    assert photos["a/1.jpg"].faces_expected == 1
    assert photos["group.jpg"].faces_expected == 3
    assert photos["none.jpg"].faces_expected == 0
    assert photos["crowd.jpg"].faces_expected is None  # "?"
    assert photos["broken.png"].faces_expected is None  # empty


def test_tags_split_on_commas_and_semicolons(tmp_path: Path) -> None:
    photos = {p.file: p for p in load_dataset(make_dataset(tmp_path)).photos}
    assert photos["a/1.jpg"].tags == ("grayscale", "small")
    assert photos["a/2.jpg"].tags == ("mirrored", "near_duplicate_of:1.jpg")
    assert photos["group.jpg"].tags == ("group", "hard:small_faces")
    assert photos["crowd.jpg"].tags == ("group", "collage")
    assert photos["b/1.jpg"].tags == ()


def test_manifest_with_only_the_required_columns(tmp_path: Path) -> None:
    manifest = [("file", "identity"), ("a/1.jpg", "Ann"), ("a/2.jpg", "Ann"), ("b/1.jpg", "Bob")]
    dataset = load_dataset(make_dataset(tmp_path, manifest))
    assert all(p.faces_expected is None and p.tags == () for p in dataset.photos)


def test_only_identities_paired_in_pairs_diff_are_known_distinct(tmp_path: Path) -> None:
    dataset = load_dataset(make_dataset(tmp_path))
    assert dataset.known_distinct("Ann", "Bob")
    assert dataset.known_distinct("Bob", "Ann")
    assert not dataset.known_distinct("Ann", "Cy")  # never paired: may be the same person
    assert not dataset.known_distinct("Bob", "Cy")
    assert not dataset.known_distinct("Ann", "Ann")


def raises(match: str):  # type: ignore[no-untyped-def]
    return pytest.raises(InvalidInput, match=re.escape(match))


def test_a_root_that_is_not_a_folder(tmp_path: Path) -> None:
    with raises(f"{tmp_path / 'absent'} is not a folder"):
        load_dataset(tmp_path / "absent")
    (tmp_path / "file.tsv").write_text("file\tidentity\n")
    with raises(f"{tmp_path / 'file.tsv'} is not a folder"):
        load_dataset(tmp_path / "file.tsv")


@pytest.mark.parametrize("name", ["MANIFEST.tsv", "PAIRS_SAME.tsv", "PAIRS_DIFF.tsv"])
def test_a_missing_list_is_named(tmp_path: Path, name: str) -> None:
    root = make_dataset(tmp_path)
    (root / name).unlink()
    with raises(f"cannot read {root / name}"):
        load_dataset(root)


@pytest.mark.parametrize("column", ["file", "identity"])
def test_a_missing_manifest_column_is_named(tmp_path: Path, column: str) -> None:
    keep = [i for i, name in enumerate(MANIFEST[0]) if name != column]
    manifest = [tuple(row[i] for i in keep) for row in MANIFEST]
    root = make_dataset(tmp_path, manifest, photos=False)
    with raises(f"{root / 'MANIFEST.tsv'} has no column {column}"):
        load_dataset(root)


def test_a_missing_pair_column_is_named(tmp_path: Path) -> None:
    root = make_dataset(tmp_path, same=[("file_a", "identity"), ("a/1.jpg", "Ann")])
    with raises(f"{root / 'PAIRS_SAME.tsv'} has no column file_b"):
        load_dataset(root)
    root = make_dataset(tmp_path, diff=[("left", "right"), ("a/1.jpg", "b/1.jpg")])
    with raises(f"{root / 'PAIRS_DIFF.tsv'} has no column file_a, file_b"):
        load_dataset(root)


def test_a_manifest_photo_missing_on_disk(tmp_path: Path) -> None:
    root = make_dataset(tmp_path)
    (root / "b" / "1.jpg").unlink()
    with raises("1 photos of MANIFEST.tsv are missing, e.g. b/1.jpg"):
        load_dataset(root)
    (root / "b").rmdir()
    (root / "b").mkdir()
    (root / "b" / "1.jpg").mkdir()  # a folder is not a photo
    with raises("1 photos of MANIFEST.tsv are missing, e.g. b/1.jpg"):
        load_dataset(root)


def test_a_pair_naming_a_photo_not_in_the_manifest(tmp_path: Path) -> None:
    root = make_dataset(tmp_path, same=[*SAME, ("a/1.jpg", "a/3.jpg", "Ann")])
    (root / "a" / "3.jpg").write_bytes(b"on disk, but not in the manifest")
    with raises("PAIRS_SAME.tsv names photos not in MANIFEST.tsv, e.g. a/3.jpg"):
        load_dataset(root)
    root = make_dataset(tmp_path / "diff", diff=[*DIFF, ("ghost.jpg", "b/1.jpg", "Gus", "Bob")])
    with raises("PAIRS_DIFF.tsv names photos not in MANIFEST.tsv, e.g. ghost.jpg"):
        load_dataset(root)


# The real labelled photos -------------------------------------------------------------------------


def test_loads_facedata(facedata: Facedata) -> None:
    dataset = load_dataset(facedata.root)
    assert len(dataset.photos) == len(facedata.rows)
    assert len(dataset.same_pairs) == 686
    assert len(dataset.diff_pairs) == 26289
    assert sum(p.labelled for p in dataset.photos) == len(facedata.labelled_single_faces())
    invalid = [p for p in dataset.photos if p.identity == "INVALID"]
    assert len(invalid) == 3 and all(p.faces_expected is None for p in invalid)
    assert dataset.known_distinct("deepface_angelina", "deepface_scarlett")
    # Two labels for what may be one person are never paired, so never taken as different people.
    assert not dataset.known_distinct("deepface_angelina", "Angelina_Jolie")


def test_short_rows_duplicates_and_bad_encoding_are_refused(tmp_path: Path) -> None:
    short_row = [*MANIFEST[:2], ("b/1.jpg",)]
    with pytest.raises(InvalidInput, match=r"MANIFEST.tsv line 3 has no identity"):
        load_dataset(make_dataset(tmp_path / "short", short_row, photos=False))
    short_pair = [SAME[0], ("a/1.jpg",)]
    with pytest.raises(InvalidInput, match=r"PAIRS_SAME.tsv line 2 has no file_b"):
        load_dataset(make_dataset(tmp_path / "pair", same=short_pair))
    twice = [*MANIFEST, ("a/1.jpg", "Bob", "1", "")]
    with pytest.raises(InvalidInput, match=r"lists a/1.jpg more than once"):
        load_dataset(make_dataset(tmp_path / "twice", twice))
    root = make_dataset(tmp_path / "latin1")
    (root / "PAIRS_DIFF.tsv").write_bytes("file_a\tfile_b\nd\xe9j\xe0\tvu\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match=r"PAIRS_DIFF.tsv is not UTF-8 text"):
        load_dataset(root)


def test_tags_are_trimmed(tmp_path: Path) -> None:
    manifest = [MANIFEST[0], ("a/1.jpg", "Ann", "1", " grayscale , small ;x ")]
    dataset = load_dataset(
        make_dataset(tmp_path / "tags", manifest, same=[SAME[0]], diff=[DIFF[0]])
    )
    assert dataset.photos[0].tags == ("grayscale", "small", "x")
