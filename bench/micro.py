"""The measurements behind facerec's small design choices, each beside the alternative that the code's
comment names, taken in turns in one run.

    .venv/bin/python bench/micro.py [--facedata ../shared/facedata] [--out bench/results/micro.md]

- ``store/db.py``, ``json_text``: a FaceDescriptor (512 float32 values) as JSON text by orjson, and
  by the standard library's ``json.dumps``.
- ``store/db.py``, SQLite in WAL mode: a commit of one small row with ``synchronous=NORMAL``, and
  with ``FULL`` (an fsync per commit), in the temporary folder's file system.
- ``engine/image.py``, ``decode_image``: the facedata photo with the most pixels decoded whole and
  reduced for the detector (``reduce_to_px=640``, the default ``FACEREC_DET_SIZE_PX``).
- ``engine/image.py``: RGB to BGR of that photo's pixels by OpenCV, and by numpy's ``[..., ::-1]``
  copy; EXIF orientation of a photo without an orientation tag in place, and as a copy.
- ``engine/image.py``, ``_NEXT_MARKER``: finding each marker after a JPEG scan (the same photo's
  bytes) with the pattern ``\\xff[^...]``, and with ``\\xff+[^...]``.
- ``index/codes.py``, ``SignCodes.nearest``: one query's Hamming scan of a million random 512-bit
  codes with one OpenMP thread, and with all of the machine's cores.

Each figure is the median over rounds of the mean time of a call (the two sides alternating round by
round). A benchmark, not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path; put it last, so that no module here can
# shadow the standard library (photos.py is still found).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import cv2  # noqa: E402
import faiss  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from facerec.engine.image import _NEXT_MARKER, decode_image  # noqa: E402
from facerec.index.codes import SignCodes  # noqa: E402
from facerec.store.db import json_text  # noqa: E402
from harness import markdown_table, provenance, publish  # noqa: E402
from photos import DECODE_LIMITS, FACEDATA, Photo, facedata_photos  # noqa: E402

Call = Callable[[], object]


def paired_ms(ours: Call, other: Call, *, rounds: int, number: int) -> tuple[float, float]:
    """Median over ``rounds`` of the mean milliseconds of ``number`` calls, the two sides taking
    turns (and turns at going first) round by round, after one untimed call of each."""
    ours(), other()
    times: dict[int, list[float]] = {0: [], 1: []}
    for r in range(rounds):
        for side in (r % 2, 1 - r % 2):
            call = (ours, other)[side]
            began = time.perf_counter()
            for _ in range(number):
                call()
            times[side].append((time.perf_counter() - began) * 1000 / number)
    return statistics.median(times[0]), statistics.median(times[1])


def row(where: str, ours: str, other: str, timed: tuple[float, float]) -> list[str]:
    ours_ms, other_ms = timed
    return [where, ours, _ms(ours_ms), other, _ms(other_ms), f"{other_ms / ours_ms:.1f}x"]


def _ms(value: float) -> str:
    return f"{value * 1000:.0f} µs" if value < 1 else f"{value:.1f} ms"


def json_rows(rounds: int) -> list[list[str]]:
    rng = np.random.default_rng(0)
    vector = rng.standard_normal(512).astype(np.float32)
    values = [float(v) for v in vector / np.linalg.norm(vector)]
    timed = paired_ms(
        lambda: json_text(values), lambda: json.dumps(values), rounds=rounds, number=200
    )
    return [row("`store/db.py` FaceDescriptor as JSON", "orjson", "`json.dumps`", timed)]


@contextmanager
def sqlite_file(folder: Path, synchronous: str) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(folder / f"{synchronous}.db", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        connection.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, body TEXT)")
        yield connection
    finally:
        connection.close()


def sqlite_rows(rounds: int) -> list[list[str]]:
    def commit(connection: sqlite3.Connection) -> Call:
        def once() -> None:
            connection.execute("BEGIN")
            connection.execute("INSERT INTO log (body) VALUES (?)", ("x" * 200,))
            connection.execute("COMMIT")

        return once

    with (
        tempfile.TemporaryDirectory() as folder,
        sqlite_file(Path(folder), "NORMAL") as normal,
        sqlite_file(Path(folder), "FULL") as full,
    ):
        timed = paired_ms(commit(normal), commit(full), rounds=rounds, number=20)
    where = f"`store/db.py` SQLite WAL commit ({tempfile.gettempdir()})"
    return [row(where, "synchronous=NORMAL", "synchronous=FULL", timed)]


def largest_jpeg(facedata: Path) -> Photo:
    """The facedata JPEG with the most pixels."""
    jpegs = [p for p in facedata_photos(facedata) if p.data[:2] == b"\xff\xd8"]
    return max(jpegs, key=lambda p: np.prod(Image.open(io.BytesIO(p.data)).size))


def image_rows(photo: Photo, rounds: int) -> list[list[str]]:
    pixels = photo.pixels()
    rgb = np.ascontiguousarray(pixels[..., ::-1])
    size = f"{pixels.shape[1]}x{pixels.shape[0]}"
    decode = paired_ms(
        lambda: decode_image(photo.data, **DECODE_LIMITS, reduce_to_px=640),
        lambda: decode_image(photo.data, **DECODE_LIMITS),
        rounds=rounds,
        number=1,
    )
    swap = paired_ms(
        lambda: cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
        lambda: np.ascontiguousarray(rgb[..., ::-1]),
        rounds=rounds,
        number=3,
    )
    untagged = Image.fromarray(rgb)
    orientation = paired_ms(
        lambda: ImageOps.exif_transpose(untagged, in_place=True),
        lambda: ImageOps.exif_transpose(untagged),
        rounds=rounds,
        number=3,
    )
    slower = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
    markers = paired_ms(
        lambda: list(_NEXT_MARKER.finditer(photo.data)),
        lambda: list(slower.finditer(photo.data)),
        rounds=rounds,
        number=3,
    )
    name = f"{Path(photo.name).name}, {size}, {len(photo.data) // 1024} KiB"
    return [
        row(f"`engine/image.py` decode ({name})", "reduced to 640 px", "whole", decode),
        row(
            f"`engine/image.py` RGB to BGR ({size})", "`cv2.cvtColor`", "numpy `[..., ::-1]`", swap
        ),
        row(
            f"`engine/image.py` EXIF orientation, no tag ({size})",
            "in place",
            "a copy",
            orientation,
        ),
        row(
            f"`engine/image.py` markers after the scans ({name})",
            "`\\xff[^...]`",
            "`\\xff+[^...]`",
            markers,
        ),
    ]


def hamming_rows(rounds: int) -> list[list[str]]:
    codes = np.random.default_rng(0).integers(0, 256, (1_000_000, 64), dtype=np.uint8)
    query = codes[12345:12346]
    cores = os.cpu_count() or 1

    def all_cores() -> None:
        faiss.omp_set_num_threads(cores)
        faiss.knn_hamming(query, codes, 512, "mc")

    # SignCodes.nearest sets one thread for its own calling thread before each scan.
    timed = paired_ms(
        lambda: SignCodes.nearest(codes, query, 512), all_cores, rounds=rounds, number=5
    )
    faiss.omp_set_num_threads(1)
    where = "`index/codes.py` one query's scan of 1,000,000 random 512-bit codes"
    return [row(where, "1 OpenMP thread", f"{cores} OpenMP threads", timed)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facedata", type=Path, default=FACEDATA)
    parser.add_argument("--rounds", type=int, default=21, help="rounds of each pair")
    parser.add_argument("--out", type=Path, default=_HERE / "results" / "micro.md")
    args = parser.parse_args()
    rows = [*json_rows(args.rounds), *sqlite_rows(args.rounds)]
    rows += image_rows(largest_jpeg(args.facedata), args.rounds)
    rows += hamming_rows(args.rounds)
    columns = ["where", "facerec", "a call", "the alternative", "a call", "alternative / facerec"]
    report = "\n\n".join(
        [
            "# The measurements behind facerec's small design choices",
            provenance(),
            f"Medians over {args.rounds} rounds, the two sides alternating; load average (1 min) at "
            f"the end {os.getloadavg()[0]:.1f}.",
            markdown_table(columns, rows, "llrlrr"),
        ]
    )
    publish(report, args.out)


if __name__ == "__main__":
    main()
