"""The detector's input sizing: letterbox (InsightFace's 640 square) and fitted (the photo's own size,
padded to a multiple of 32), on real photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facerec.domain import BoundingBox
from facerec.engine.detector import DetectorInput, input_canvas
from facerec.engine.image import decode_image
from facerec.engine.pipeline import FaceEngine
from tests.conftest import Facedata


def pixels(path: Path) -> np.ndarray:  # type: ignore[type-arg]
    return decode_image(path.read_bytes(), max_bytes=50_000_000, max_pixels=50_000_000).pixels


def iou(a: BoundingBox, b: BoundingBox) -> float:
    w = max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))
    h = max(0.0, min(a.y2, b.y2) - max(a.y1, b.y1))
    return w * h / (a.area + b.area - w * h)


@pytest.mark.parametrize(
    ("height", "width", "canvas", "scale"),
    [
        (250, 250, (256, 256), 1.0),  # an LFW photo: about a sixth of 640x640
        (112, 92, (128, 96), 1.0),  # an ORL photo
        (640, 480, (640, 480), 1.0),  # already a multiple of 32: no copy at all
        (800, 1237, (416, 640), 640 / 1237),  # players.jpg: scaled down, long side 640
        (3000, 4000, (480, 640), 480 / 3000),
    ],
)
def test_fitted_canvas_keeps_the_photo_and_pads_to_a_multiple_of_32(
    height: int, width: int, canvas: tuple[int, int], scale: float
) -> None:
    photo = np.full((height, width, 3), 200, dtype=np.uint8)
    out, got_scale = input_canvas(photo, size_px=640, sizing="fitted")
    assert out.shape == (*canvas, 3)
    assert got_scale == pytest.approx(scale, rel=1e-2)
    new_h, new_w = round(height * got_scale), round(width * got_scale)
    assert (out[: new_h - 1, : new_w - 1] == 200).all()  # the photo at the top left
    assert (out[new_h + 1 :] == 0).all() and (out[:, new_w + 1 :] == 0).all()  # black padding


@pytest.mark.parametrize(("height", "width"), [(250, 250), (800, 1237), (3000, 4000)])
def test_letterbox_canvas_is_always_the_square(height: int, width: int) -> None:
    out, scale = input_canvas(
        np.zeros((height, width, 3), np.uint8), size_px=640, sizing="letterbox"
    )
    assert out.shape == (640, 640, 3)
    assert scale == pytest.approx(640 / max(height, width), rel=1e-2)


def test_fitted_and_letterbox_find_the_same_faces_in_place(
    engine: FaceEngine, samples: Path, facedata: Facedata
) -> None:
    """Coordinates come back in the photo's frame whatever the input size: the same faces, the
    same boxes (to a few pixels), on a group photo and on photos smaller and larger than 640."""
    photos = [samples / "players.jpg", samples / "yaoming.jpg", samples / "gdp.jpg"]
    photos += [facedata.path(r["file"]) for r in facedata.labelled_single_faces()[::20]]
    opts = engine.detection
    for photo in photos:
        image = pixels(photo)
        found = {
            sizing: engine.detector.detect(
                image, size_px=opts.size_px, score_min=opts.score_min, sizing=sizing
            )
            for sizing in ("letterbox", "fitted")
        }
        assert len(found["letterbox"]) == len(found["fitted"]), photo.name
        for box in found["letterbox"].boxes:
            a = BoundingBox(*(float(v) for v in box))
            best = max(iou(a, BoundingBox(*(float(v) for v in b))) for b in found["fitted"].boxes)
            assert best > 0.8, photo.name


CLOSE_UPS = ("pre_cropped_face", "hard:low_resolution")  # the tags of close-ups and tight crops


@pytest.mark.slow
def test_the_fitted_input_needs_the_padded_retry_less_often(
    engine: FaceEngine, facedata: Facedata
) -> None:
    """Close-ups and tight crops, blown up into the 640 square, outgrow the detector's anchors;
    at their own size they are found by the first run (one upside-down photo remains, for the
    orientation check). The letterbox input misses more of the close-ups alone than the fitted
    input misses of all the photos (so more of all the photos, too)."""
    opts = engine.detection

    def missed(rows: list[dict[str, str]], sizing: DetectorInput) -> list[str]:
        return [
            r["file"]
            for r in rows
            if not len(
                engine.detector.detect(
                    pixels(facedata.path(r["file"])),
                    size_px=opts.size_px,
                    score_min=opts.score_min,
                    sizing=sizing,
                )
            )
        ]

    photos = facedata.labelled_single_faces()
    close_ups = [r for r in photos if any(tag in r["tags"] for tag in CLOSE_UPS)]
    misses = {"letterbox": missed(close_ups, "letterbox"), "fitted": missed(photos, "fitted")}
    assert len(misses["fitted"]) < len(misses["letterbox"]), misses
    assert len(misses["fitted"]) <= 2, misses


@pytest.mark.parametrize("sizing", ["letterbox", "fitted"])
def test_a_detector_size_that_is_not_a_multiple_of_32_still_works(
    engine: FaceEngine, samples: Path, sizing: DetectorInput
) -> None:
    image = pixels(samples / "players.jpg")
    out, _ = input_canvas(image, size_px=600, sizing=sizing)
    assert out.shape[0] % 32 == 0 and out.shape[1] % 32 == 0 and max(out.shape[:2]) == 608
    found = engine.detector.detect(image, size_px=600, score_min=0.5, sizing=sizing)
    reference = engine.detector.detect(image, size_px=640, score_min=0.5, sizing=sizing)
    # Another input size finds a slightly different set of the smallest faces; the players are
    # found where they were.
    same_place = [
        box
        for box in found.boxes
        if max(
            iou(BoundingBox(*(float(v) for v in box)), BoundingBox(*(float(v) for v in b)))
            for b in reference.boxes
        )
        > 0.7
    ]
    assert len(same_place) >= 15
