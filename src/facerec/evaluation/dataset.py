"""A labelled photo folder shaped like ../shared/facedata: MANIFEST.tsv, PAIRS_SAME.tsv, PAIRS_DIFF.tsv.

MANIFEST.tsv has a row per photo (``file``, ``identity``, ``faces_expected``, ``tags``); identity is a
person's label or one of GROUP, NONE, UNLABELED, INVALID. The pair files list same-person and
different-person pairs by file. Two labels are taken as different people only where PAIRS_DIFF pairs
them, so a dataset can leave out two labels that may be one person (facedata does).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from facerec.errors import InvalidInput

SPECIAL_IDENTITIES = frozenset({"GROUP", "NONE", "UNLABELED", "INVALID"})


@dataclass(frozen=True)
class Photo:
    file: str
    identity: str
    faces_expected: int | None  # None where the manifest says "?" or nothing
    tags: tuple[str, ...]

    @property
    def labelled(self) -> bool:
        return self.identity not in SPECIAL_IDENTITIES


@dataclass(frozen=True)
class Dataset:
    root: Path
    photos: tuple[Photo, ...]
    same_pairs: tuple[tuple[str, str], ...]
    diff_pairs: tuple[tuple[str, str], ...]
    distinct_identities: frozenset[frozenset[str]]

    def path(self, file: str) -> Path:
        return self.root / file

    def known_distinct(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.distinct_identities


def load_dataset(root: Path) -> Dataset:
    """Read and check the folder; a missing file or column is an ``InvalidInput`` that says which."""
    if not root.is_dir():
        raise InvalidInput(f"{root} is not a folder")
    photos = tuple(
        Photo(
            file=row["file"],
            identity=row["identity"],
            faces_expected=_count(row.get("faces_expected")),
            tags=tuple(
                t.strip() for t in (row.get("tags") or "").replace(";", ",").split(",") if t.strip()
            ),
        )
        for row in _rows(root, "MANIFEST.tsv", ("file", "identity"))
    )
    known = {p.file for p in photos}
    if len(known) != len(photos):
        counts = Counter(p.file for p in photos)
        twice = next(file for file, n in counts.items() if n > 1)
        raise InvalidInput(f"MANIFEST.tsv lists {twice} more than once")
    missing = sorted(p.file for p in photos if not (root / p.file).is_file())
    if missing:
        raise InvalidInput(f"{len(missing)} photos of MANIFEST.tsv are missing, e.g. {missing[0]}")
    same = _pairs(root, "PAIRS_SAME.tsv", known)
    diff = _pairs(root, "PAIRS_DIFF.tsv", known)
    identity_of = {p.file: p.identity for p in photos}
    distinct = frozenset(frozenset((identity_of[a], identity_of[b])) for a, b in diff)
    return Dataset(
        root=root, photos=photos, same_pairs=same, diff_pairs=diff, distinct_identities=distinct
    )


def _count(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _rows(root: Path, name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = root / name
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            absent = [c for c in columns if c not in (reader.fieldnames or ())]
            if absent:
                raise InvalidInput(f"{path} has no column {', '.join(absent)}")
            rows = list(reader)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text") from None
    for number, row in enumerate(rows, start=2):
        empty = [c for c in columns if not row.get(c)]
        if empty:
            raise InvalidInput(f"{path} line {number} has no {', '.join(empty)}")
    return rows


def _pairs(root: Path, name: str, known: set[str]) -> tuple[tuple[str, str], ...]:
    rows = _rows(root, name, ("file_a", "file_b"))
    pairs = tuple((r["file_a"], r["file_b"]) for r in rows)
    unknown = sorted({f for pair in pairs for f in pair} - known)
    if unknown:
        raise InvalidInput(f"{name} names photos not in MANIFEST.tsv, e.g. {unknown[0]}")
    return pairs
