"""Large JPEGs decoded at a reduced size: the detector runs on the reduced copy, coordinates are the
photo's, and a face is aligned from the full resolution when the reduced copy holds too few of its
pixels."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from facerec.engine.align import align_face, crop_scale
from facerec.engine.image import DecodedImage, decode_image
from facerec.engine.pipeline import FaceEngine

LIMITS = {"max_bytes": 50_000_000, "max_pixels": 50_000_000}


def jpeg(pixels_bgr: np.ndarray, **params: object) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    Image.fromarray(pixels_bgr[:, :, ::-1]).save(buffer, format="JPEG", quality=95, **params)
    return buffer.getvalue()


def enlarged(path: Path, factor: float) -> np.ndarray:  # type: ignore[type-arg]
    pixels = decode_image(path.read_bytes(), **LIMITS).pixels
    return cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


@pytest.mark.parametrize(
    ("long_side", "reduce_to_px", "reduction"),
    [
        (3000, 640, 4),
        (2600, 640, 4),
        (2559, 640, 2),
        (1280, 640, 2),
        (1279, 640, 1),
        (5200, 640, 8),
    ],
)
def test_the_reduction_keeps_the_longer_side_at_least_the_detector_input(
    long_side: int, reduce_to_px: int, reduction: int
) -> None:
    pixels = np.full((long_side * 3 // 4, long_side, 3), 128, np.uint8)
    decoded = decode_image(jpeg(pixels), **LIMITS, reduce_to_px=reduce_to_px)
    assert decoded.reduction == reduction
    assert (decoded.width_px, decoded.height_px) == (long_side, long_side * 3 // 4)
    assert decoded.pixels.shape[:2] == (
        -(-(long_side * 3 // 4) // reduction),
        -(-long_side // reduction),
    )
    assert max(decoded.pixels.shape[:2]) >= reduce_to_px or reduction == 1


def test_without_reduce_to_px_or_for_other_formats_the_photo_is_decoded_whole(
    samples: Path,
) -> None:
    big = enlarged(samples / "yaoming.jpg", 8)  # 1864 x 2296
    assert decode_image(jpeg(big), **LIMITS).reduction == 1
    png = io.BytesIO()
    Image.fromarray(big[:, :, ::-1]).save(png, format="PNG")
    decoded = decode_image(png.getvalue(), **LIMITS, reduce_to_px=640)
    assert decoded.reduction == 1 and decoded.pixels.shape == big.shape


def test_the_reduced_copy_is_the_photo_scaled_down_and_full_pixels_the_photo(
    samples: Path,
) -> None:
    big = enlarged(samples / "yaoming.jpg", 8)
    data = jpeg(big)
    decoded = decode_image(data, **LIMITS, reduce_to_px=640)
    assert decoded.reduction == 2
    whole = decode_image(data, **LIMITS).pixels
    full = decoded.full_pixels()
    assert np.array_equal(full, whole)
    assert decoded.full_pixels() is full  # decoded once
    area = cv2.resize(whole, decoded.pixels.shape[1::-1], interpolation=cv2.INTER_AREA)
    assert np.abs(area.astype(int) - decoded.pixels.astype(int)).mean() < 2.0


def test_an_exif_turned_photo_is_upright_at_both_sizes(samples: Path) -> None:
    big = enlarged(samples / "yaoming.jpg", 8)  # upright: 2296 high, 1864 wide
    stored = np.ascontiguousarray(cv2.rotate(big, cv2.ROTATE_90_COUNTERCLOCKWISE))
    exif = Image.Exif()
    exif[0x0112] = 6  # the viewer turns it 90 degrees clockwise
    decoded = decode_image(jpeg(stored, exif=exif.tobytes()), **LIMITS, reduce_to_px=640)
    assert decoded.reduction == 2
    assert (decoded.width_px, decoded.height_px) == (1864, 2296)
    assert decoded.pixels.shape[:2] == (1148, 932)
    assert decoded.full_pixels().shape[:2] == (2296, 1864)
    small = cv2.resize(decoded.full_pixels(), (932, 1148), interpolation=cv2.INTER_AREA)
    assert np.abs(small.astype(int) - decoded.pixels.astype(int)).mean() < 2.0


def test_faces_are_found_in_the_photos_coordinates_and_embed_as_the_whole_photo_does(
    engine: FaceEngine, samples: Path
) -> None:
    data = jpeg(enlarged(samples / "yaoming.jpg", 8))
    reduced = decode_image(data, **LIMITS, reduce_to_px=640)
    whole = decode_image(data, **LIMITS)
    assert reduced.reduction == 2
    (face_r,) = engine.detect(reduced)
    (face_w,) = engine.detect(whole)
    size = face_w.bbox.width
    for a, b in zip(
        (face_r.bbox.x1, face_r.bbox.y1, face_r.bbox.x2, face_r.bbox.y2),
        (face_w.bbox.x1, face_w.bbox.y1, face_w.bbox.x2, face_w.bbox.y2),
        strict=True,
    ):
        assert abs(a - b) < 0.03 * size
    found = engine.largest_face(reduced)
    assert found is not None
    embedded = found[0]
    # A 1,000 px face: the reduced copy holds plenty of it, so the full size is never decoded.
    assert not reduced._copies
    reference = engine.analyze(whole)[0]
    assert float(embedded.embedding @ reference.embedding) > 0.97


def test_a_small_face_in_a_large_photo_is_aligned_from_the_full_resolution(
    engine: FaceEngine, samples: Path
) -> None:
    # players.jpg twice as large: 22 faces of about 80 px, 40 px in the reduced copy.
    data = jpeg(enlarged(samples / "players.jpg", 2))
    decoded = decode_image(data, **LIMITS, reduce_to_px=640)
    assert decoded.reduction == 2
    faces = engine.detect(decoded)
    assert len(faces) >= 20
    assert len(faces) == len(engine.detect(decode_image(data, **LIMITS)))
    crops = engine.align_faces(decoded, faces)
    assert decoded._copies  # a larger copy was needed
    size = engine.embedder.input_size_px
    for face, crop in zip(faces, crops, strict=True):
        points = np.asarray(face.landmarks, np.float32)
        assert crop_scale(decoded.from_photo(points, 2), size) > 1.0
        assert np.array_equal(crop, align_face(decoded.full_pixels(), points, size))


def test_pixels_alone_are_a_decoded_image_at_full_size(engine: FaceEngine, samples: Path) -> None:
    pixels = decode_image((samples / "yaoming.jpg").read_bytes(), **LIMITS).pixels
    decoded = DecodedImage.of(pixels)
    assert decoded.reduction == 1 and decoded.full_pixels() is pixels
    assert (decoded.width_px, decoded.height_px) == (pixels.shape[1], pixels.shape[0])
    assert engine.detect(pixels) == engine.detect(decoded)


def test_a_face_is_aligned_from_the_most_reduced_copy_that_holds_it(
    engine: FaceEngine, samples: Path
) -> None:
    # A 5200 px photo is decoded at 1/8 (650 px). Its face, about 200 px between the eyes, is under
    # the crop's 35 at 1/8 and over it at 1/4: the 1/4 copy is decoded, not the whole photo.
    canvas = np.full((3000, 5200, 3), 90, np.uint8)
    face = enlarged(samples / "yaoming.jpg", 5)
    canvas[800 : 800 + face.shape[0], 2000 : 2000 + face.shape[1]] = face
    decoded = decode_image(jpeg(canvas), **LIMITS, reduce_to_px=640)
    assert decoded.reduction == 8
    (found,) = engine.detect(decoded)
    points = np.asarray(found.landmarks, np.float32)
    size = engine.embedder.input_size_px
    assert crop_scale(points, size) * 8 > 1.0 >= crop_scale(points, size) * 4
    (crop,) = engine.align_faces(decoded, [found])
    assert set(decoded._copies) == {4}
    assert np.array_equal(crop, align_face(decoded.at(4), decoded.from_photo(points, 4), size))


def centroid(gray: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    ys, xs = np.indices(gray.shape)
    weight = gray.astype(np.float64)
    return np.array([(xs * weight).sum(), (ys * weight).sum()]) / weight.sum()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_points_map_between_a_reduced_copy_and_the_photo_whatever_the_orientation(
    orientation: int,
) -> None:
    # Sides that are not multiples of 8: the last reduced pixel of each row and column is partial,
    # and the orientations that mirror an axis put it first.
    stored = np.zeros((1001, 1283), np.uint8)
    stored[200:248, 300:348] = 255  # a marker
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.fromarray(stored).convert("RGB").save(buffer, format="JPEG", quality=95, exif=exif)
    data = buffer.getvalue()
    decoded = decode_image(data, **LIMITS, reduce_to_px=160)
    assert decoded.reduction == 8
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L"))
    assert decoded.pixels.shape[:2] == (-(-upright.shape[0] // 8), -(-upright.shape[1] // 8))
    expected = centroid(upright)
    found = decoded.to_photo(centroid(decoded.pixels[:, :, 1]).astype(np.float32), 8)
    assert np.abs(found - expected).max() < 1.0, (found, expected)
    back = decoded.from_photo(expected.astype(np.float32), 8)
    assert np.abs(back - centroid(decoded.pixels[:, :, 1])).max() < 1.0 / 8
