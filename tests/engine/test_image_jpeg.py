"""JPEG decoding's fast path: plain JPEGs go to OpenCV, and come out as Pillow would decode them;
everything else (cut short, CMYK, another format) still goes to Pillow."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facerec.engine.image import (
    _decode_jpeg,
    _decode_with_pillow,
    _jpeg_runs_to_its_end,
    _plain_jpeg,
    decode_image,
)
from facerec.errors import CorruptImage
from tests.conftest import Facedata


def jpeg(image: Image.Image, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **params)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo(samples: Path) -> Image.Image:
    return Image.open(samples / "yaoming.jpg").convert("RGB")


@pytest.mark.slow
def test_every_plain_jpeg_of_facedata_decodes_as_pillow_decodes_it(facedata: Facedata) -> None:
    fast = 0
    for row in facedata.rows:
        data = facedata.path(row["file"]).read_bytes()
        try:
            image = Image.open(io.BytesIO(data))
        except OSError:
            continue
        if image.format != "JPEG":
            continue
        plain = _plain_jpeg(data, image)
        if plain is None:
            continue
        pixels = _decode_jpeg(data, plain, 1)
        assert pixels is not None, row["file"]
        fast += 1
        slow = _decode_with_pillow(Image.open(io.BytesIO(data)))
        assert np.array_equal(pixels, slow), row["file"]
        assert pixels.flags.c_contiguous and pixels.dtype == np.uint8
    assert fast >= 250


@pytest.mark.parametrize(
    "params",
    [{}, {"progressive": True}, {"subsampling": 0}, {"restart_marker_rows": 1}],
    ids=["baseline", "progressive", "4:4:4", "restart-markers"],
)
def test_a_whole_jpeg_runs_to_its_end_and_a_cut_one_does_not(
    photo: Image.Image, params: dict[str, object]
) -> None:
    # An EXIF thumbnail carries an end-of-image marker of its own: a cut photo must still be seen.
    thumbnail = jpeg(photo.resize((32, 40)))
    exif = Image.Exif()
    exif[0x0112] = 1
    data = jpeg(photo, quality=90, exif=exif.tobytes() + thumbnail, **params)
    assert _jpeg_runs_to_its_end(data)
    assert _jpeg_runs_to_its_end(data + b"trailing bytes a camera left")
    for fraction in np.linspace(0.05, 0.995, 25):
        assert not _jpeg_runs_to_its_end(data[: int(len(data) * fraction)])


def test_a_cut_jpeg_is_still_refused(photo: Image.Image) -> None:
    data = jpeg(photo)
    with pytest.raises(CorruptImage):
        decode_image(data[: len(data) * 2 // 3], max_bytes=10**7, max_pixels=10**7)


def test_cmyk_and_other_formats_go_to_pillow(photo: Image.Image) -> None:
    cmyk = jpeg(photo.convert("CMYK"))
    assert _plain_jpeg(cmyk, Image.open(io.BytesIO(cmyk))) is None
    decoded = decode_image(cmyk, max_bytes=10**7, max_pixels=10**7)
    assert decoded.pixels.shape == (287, 233, 3)
    assert not _jpeg_runs_to_its_end(b"\x89PNG\r\n\x1a\n")


def test_gray_jpeg_gives_three_equal_channels(photo: Image.Image) -> None:
    data = jpeg(photo.convert("L"))
    plain = _plain_jpeg(data, Image.open(io.BytesIO(data)))
    pixels = _decode_jpeg(data, plain, 1) if plain else None
    assert pixels is not None and pixels.shape == (287, 233, 3)
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()
