"""Photos the benchmarks share: labelled photos of ``../shared/facedata`` (read from there, never
copied) and the sample photos inside the installed model package (``players.jpg``: 22 faces).

Each photo is read once into memory, so that a benchmark times decoding and not the disk.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from facerec.engine.image import DecodedImage, decode_image
from facerec.engine.models import bundled_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
FACEDATA = REPO_ROOT.parent / "shared" / "facedata"
SPECIAL_IDENTITIES = frozenset({"GROUP", "NONE", "UNLABELED", "INVALID"})
DECODE_LIMITS = {"max_bytes": 100_000_000, "max_pixels": 100_000_000}


@dataclass(frozen=True, eq=False)
class Photo:
    name: str  # path under facedata, or the sample's file name
    data: bytes
    identity: str  # a person's label, or GROUP / NONE / UNLABELED / INVALID
    faces_expected: int | None  # None where the manifest says "?"
    tags: str = ""

    def pixels(self) -> npt.NDArray[np.uint8]:
        """The photo decoded whole as facerec decodes an upload (BGR, upright)."""
        return decode_image(self.data, **DECODE_LIMITS).pixels

    def decoded(self, reduce_to_px: int | None) -> DecodedImage:
        """The photo decoded as facerec decodes an upload; with ``reduce_to_px``, a large JPEG at
        a reduced size (``facerec.engine.image.decode_image``)."""
        return decode_image(self.data, **DECODE_LIMITS, reduce_to_px=reduce_to_px)


def manifest(root: Path = FACEDATA) -> list[dict[str, str]]:
    path = root / "MANIFEST.tsv"
    if not path.is_file():
        raise SystemExit(f"no MANIFEST.tsv in {root}: pass --facedata with the facedata folder")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def facedata_photos(root: Path = FACEDATA) -> list[Photo]:
    """Every photo of facedata, in manifest order, the broken files left out."""
    photos = []
    for row in manifest(root):
        if row["identity"] == "INVALID":
            continue
        expected = row["faces_expected"]
        photos.append(
            Photo(
                name=row["file"],
                data=(root / row["file"]).read_bytes(),
                identity=row["identity"],
                faces_expected=int(expected) if expected.isdigit() else None,
                tags=row["tags"],
            )
        )
    return photos


def single_face_photos(root: Path = FACEDATA, *, count: int = 50) -> list[Photo]:
    """``count`` labelled single-face photos spread evenly over the manifest (so over its sources:
    LFW's 250x250 crops as well as large camera photos)."""
    labelled = [
        p
        for p in facedata_photos(root)
        if p.identity not in SPECIAL_IDENTITIES and p.faces_expected == 1
    ]
    if len(labelled) < count:
        raise SystemExit(f"only {len(labelled)} labelled single-face photos in {root}")
    step = len(labelled) / count
    return [labelled[int(i * step)] for i in range(count)]


def sample_photo(name: str) -> Photo:
    """A sample photo of the installed model package; ``players.jpg`` has 22 faces."""
    faces = {"players.jpg": 22, "yaoming.jpg": 1}.get(name)
    return Photo(
        name=name,
        data=(bundled_dir() / name).read_bytes(),
        identity="GROUP" if faces != 1 else "SAMPLE",
        faces_expected=faces,
    )
