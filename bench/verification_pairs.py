"""Accept rates of same-person and different-person pairs at several thresholds, printed as a table.

    python bench/verification_pairs.py ../shared/facedata [--pack bundled]

Reads PAIRS_SAME.tsv and PAIRS_DIFF.tsv of a folder shaped like ../shared/facedata, embeds the largest
face of every photo once with facerec's pipeline, and prints, for each threshold, the share of
same-person pairs accepted and the number of different-person pairs accepted, with the seed's 0.6
beside the pack's default. A stop-gap until the full evaluation command; figures are for that set only.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from facerec.config import Settings
from facerec.engine.image import decode_image
from facerec.service.runtime import load_engine

THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--pack", default="bundled")
    args = parser.parse_args()

    settings = Settings(model_pack=args.pack, _env_file=None)  # type: ignore[call-arg]
    engine = load_engine(settings)
    cache: dict[str, np.ndarray] = {}  # type: ignore[type-arg]

    def embedding(file: str) -> np.ndarray:  # type: ignore[type-arg]
        if file not in cache:
            data = (args.dataset / file).read_bytes()
            image = decode_image(data, max_bytes=100_000_000, max_pixels=100_000_000).pixels
            faces = engine.detect(image)
            if not faces:
                raise SystemExit(f"no face in {file}")
            cache[file] = engine.embed_faces(image, faces[:1])[0].embedding
        return cache[file]

    def scores(name: str) -> np.ndarray:  # type: ignore[type-arg]
        with (args.dataset / name).open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        return np.array([float(embedding(r["file_a"]) @ embedding(r["file_b"])) for r in rows])

    same, different = scores("PAIRS_SAME.tsv"), scores("PAIRS_DIFF.tsv")
    default = engine.pack.default_threshold
    print(
        f"pack {engine.pack.name}: {len(same)} same-person pairs, {len(different)} different-person"
    )
    print("| threshold | same-person pairs accepted | different-person pairs accepted |")
    print("|---|---|---|")
    for threshold in sorted({*THRESHOLDS, default}):
        label = f"{threshold:.2f}"
        if threshold == default:
            label += " (pack default)"
        if threshold == 0.6:
            label += " (seed)"
        accepted = int((different >= threshold).sum())
        print(
            f"| {label} | {100 * (same >= threshold).mean():.1f}% | {accepted} of {len(different)} |"
        )
    print(f"highest different-person similarity: {different.max():.3f}")
    print(f"lowest same-person similarity: {same.min():.3f}")


if __name__ == "__main__":
    main()
