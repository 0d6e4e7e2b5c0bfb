"""decode_image on real photos: every accepted format becomes an upright H x W x 3 BGR uint8 array in
which the face is still found; limits, empty, foreign and broken uploads raise the right ImageError.

The variants are built here with Pillow from yaoming.jpg (233 x 287, one face), so each test knows the
pixels it should get back; the labelled photos in facedata add files nobody on this project made."""

from __future__ import annotations

import io
import random
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from facerec.domain import BoundingBox, DetectedFace
from facerec.engine.image import BgrImage, DecodedImage, decode_image
from facerec.engine.pipeline import FaceEngine
from facerec.errors import CorruptImage, EmptyImage, ImageError, ImageTooLarge, UnsupportedImage
from tests.conftest import Facedata

LIMITS = {"max_bytes": 50_000_000, "max_pixels": 40_000_000}
UPRIGHT_SHAPE = (287, 233, 3)  # yaoming.jpg: taller than wide
RED_BGR = [0, 0, 255]
T = Image.Transpose
# For each EXIF orientation, the transform that turns the upright picture into the stored one (the
# inverse of what a viewer applies).
STORED_FOR_ORIENTATION = {
    1: None,
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_90,  # stored turned 90° counter-clockwise; the viewer turns it back clockwise
    7: T.TRANSVERSE,
    8: T.ROTATE_270,
}
ORIENTATION_TAG = 0x0112


# Helpers ----------------------------------------------------------------------------------------------


def decode(data: bytes, **limits: int) -> DecodedImage:
    return decode_image(data, **{**LIMITS, **limits})


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def mean_error(a: BgrImage, b: BgrImage) -> float:
    assert a.shape == b.shape
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def assert_bgr_image(decoded: DecodedImage, shape: tuple[int, int, int], fmt: str) -> None:
    assert decoded.pixels.shape == shape
    assert decoded.pixels.dtype == np.uint8
    assert decoded.pixels.flags["C_CONTIGUOUS"]
    assert (decoded.height_px, decoded.width_px) == shape[:2]
    assert decoded.format == fmt
    assert decoded.mime == expected_mime(fmt)


def expected_mime(fmt: str) -> str:
    """Pillow's own MIME type for the format, except MPO (a JPEG with more frames after the first),
    which is served as the JPEG that browsers show."""
    Image.init()
    return "image/jpeg" if fmt == "MPO" else Image.MIME[fmt]


def iou(a: BoundingBox, b: BoundingBox) -> float:
    inter = BoundingBox(max(a.x1, b.x1), max(a.y1, b.y1), min(a.x2, b.x2), min(a.y2, b.y2)).area
    return inter / (a.area + b.area - inter)


def assert_same_face(found: list[DetectedFace], expected: DetectedFace) -> None:
    """One face, where the original has it, the right way up (eyes above the mouth)."""
    assert len(found) == 1, f"{len(found)} faces"
    face = found[0]
    assert iou(face.bbox, expected.bbox) > 0.8, (face.bbox, expected.bbox)
    left_eye, right_eye, _nose, mouth_left, mouth_right = face.landmarks
    assert max(left_eye[1], right_eye[1]) < min(mouth_left[1], mouth_right[1])


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def black_png(width: int, height: int, *, pixel_data: bool = True) -> bytes:
    """A black 1-bit PNG written row by row, so that a huge one costs little time and memory.

    Without ``pixel_data`` the IDAT chunk holds garbage: decoding it fails, so only a check on the
    header can turn it down as too large rather than corrupt."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, grayscale
    if pixel_data:
        row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
        compressor = zlib.compressobj(9)
        body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    else:
        body = b"this is not a zlib stream"
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def two_frames(first: Image.Image, second: Image.Image, fmt: str, **params: object) -> bytes:
    return encode(first, fmt, save_all=True, append_images=[second], **params)


# Fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def original(samples: Path) -> bytes:
    return (samples / "yaoming.jpg").read_bytes()


@pytest.fixture(scope="module")
def photo(original: bytes) -> Image.Image:
    """yaoming.jpg as Pillow's RGB image."""
    image = Image.open(io.BytesIO(original))
    assert image.mode == "RGB" and image.size == (233, 287)
    return image.convert("RGB")


@pytest.fixture(scope="module")
def reference(original: bytes) -> BgrImage:
    """The original JPEG decoded: the pixels every lossless variant must give back."""
    return decode(original).pixels


@pytest.fixture(scope="module")
def gray(photo: Image.Image) -> BgrImage:
    return np.asarray(photo.convert("L"))


@pytest.fixture(scope="module")
def reference_face(engine: FaceEngine, reference: BgrImage) -> DetectedFace:
    faces = engine.detect(reference)
    assert len(faces) == 1
    return faces[0]


# Formats ----------------------------------------------------------------------------------------------


def _rgba(photo: Image.Image) -> Image.Image:
    """Opaque except a fully transparent black strip on the left (composited: white, not black) and a
    half-transparent strip on the right."""
    alpha = np.full((photo.height, photo.width), 255, dtype=np.uint8)
    alpha[:, :20] = 0
    alpha[:, -20:] = 128
    rgb = np.asarray(photo).copy()
    rgb[:, :20] = 0
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def _gray16(photo: Image.Image) -> Image.Image:
    """The photo's gray levels spread over 16 bits (x * 257: 255 becomes 65535)."""
    values = np.asarray(photo.convert("L")).astype(np.uint16) * 257
    return Image.fromarray(values)


# name: (build from the photo, format reported, largest mean error against the original in gray
# levels; 0 for lossless)
COLOUR_CASES: dict[str, tuple[Callable[[Image.Image], bytes], str, float]] = {
    "jpeg": (lambda p: encode(p, "JPEG", quality=95), "JPEG", 1.0),
    "progressive_jpeg": (lambda p: encode(p, "JPEG", quality=95, progressive=True), "JPEG", 1.0),
    "cmyk_jpeg": (lambda p: encode(p.convert("CMYK"), "JPEG", quality=95), "JPEG", 1.0),
    "mpo": (lambda p: two_frames(p, p.transpose(T.FLIP_LEFT_RIGHT), "MPO", quality=95), "MPO", 1.0),
    "png": (lambda p: encode(p, "PNG"), "PNG", 0.0),
    "palette_png": (
        lambda p: encode(p.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
        "PNG",
        3.0,
    ),
    "webp": (lambda p: encode(p, "WEBP", quality=90), "WEBP", 3.0),
    "webp_lossless": (lambda p: encode(p, "WEBP", lossless=True), "WEBP", 0.0),
    "bmp": (lambda p: encode(p, "BMP"), "BMP", 0.0),
    "gif": (lambda p: encode(p, "GIF"), "GIF", 3.0),
    "tiff": (lambda p: encode(p, "TIFF"), "TIFF", 0.0),
    "tiff_deflate": (lambda p: encode(p, "TIFF", compression="tiff_deflate"), "TIFF", 0.0),
}

GRAY_CASES: dict[str, tuple[Callable[[Image.Image], bytes], str, float]] = {
    "grayscale_jpeg": (lambda p: encode(p.convert("L"), "JPEG", quality=95), "JPEG", 1.0),
    "grayscale_png": (lambda p: encode(p.convert("L"), "PNG"), "PNG", 0.0),
    "gray_alpha_png": (lambda p: encode(p.convert("LA"), "PNG"), "PNG", 0.0),
    "png_16bit": (lambda p: encode(_gray16(p), "PNG"), "PNG", 0.0),
    "tiff_16bit": (lambda p: encode(_gray16(p), "TIFF"), "TIFF", 0.0),
}


@pytest.mark.parametrize("case", COLOUR_CASES)
def test_colour_formats_decode_to_the_original_bgr_pixels(
    case: str, photo: Image.Image, reference: BgrImage
) -> None:
    build, fmt, tolerance = COLOUR_CASES[case]
    decoded = decode(build(photo))
    assert_bgr_image(decoded, UPRIGHT_SHAPE, fmt)
    error = mean_error(decoded.pixels, reference)
    assert error <= tolerance
    # Channel order: the same pixels read as RGB are much further off.
    assert mean_error(decoded.pixels, reference[:, :, ::-1]) > error + 4


@pytest.mark.parametrize("case", GRAY_CASES)
def test_gray_formats_decode_to_three_equal_channels(
    case: str, photo: Image.Image, gray: BgrImage
) -> None:
    build, fmt, tolerance = GRAY_CASES[case]
    decoded = decode(build(photo))
    assert_bgr_image(decoded, UPRIGHT_SHAPE, fmt)
    blue, green, red = (decoded.pixels[:, :, i] for i in range(3))
    assert np.array_equal(blue, green) and np.array_equal(green, red)
    assert mean_error(blue, gray) <= tolerance
    assert int(np.abs(blue.astype(np.int16) - gray).max()) <= (1 if tolerance == 0 else 255)


@pytest.mark.parametrize("case", [*COLOUR_CASES, *GRAY_CASES])
def test_the_face_is_found_after_decoding(
    case: str, photo: Image.Image, engine: FaceEngine, reference_face: DetectedFace
) -> None:
    build, _fmt, _tolerance = {**COLOUR_CASES, **GRAY_CASES}[case]
    assert_same_face(engine.detect(decode(build(photo)).pixels), reference_face)


def test_the_reference_is_bgr(photo: Image.Image, reference: BgrImage) -> None:
    assert np.array_equal(reference[:, :, ::-1], np.asarray(photo))
    red = decode(encode(Image.new("RGB", (4, 3), (255, 0, 0)), "PNG")).pixels
    assert red.shape == (3, 4, 3)
    assert (red == RED_BGR).all()


def test_rgba_png_is_composited_over_white(
    photo: Image.Image, reference: BgrImage, engine: FaceEngine, reference_face: DetectedFace
) -> None:
    data = encode(_rgba(photo), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "RGBA"
    decoded = decode(data)
    assert_bgr_image(decoded, UPRIGHT_SHAPE, "PNG")
    # Transparent black is white, not black: the alpha was applied, not dropped.
    assert (decoded.pixels[:, :20] == 255).all()
    # Half transparent: half way between the photo and white.
    blended = (reference[:, -20:].astype(np.float64) * 128 + 255 * 127) / 255
    assert np.abs(decoded.pixels[:, -20:] - blended).max() <= 1
    # Opaque: unchanged.
    assert np.array_equal(decoded.pixels[:, 20:-20], reference[:, 20:-20])
    assert_same_face(engine.detect(decoded.pixels), reference_face)


def test_16_bit_values_are_scaled_not_clipped_to_white() -> None:
    ramp = np.linspace(0, 65535, 256 * 4).astype(np.uint16).reshape(4, 256)
    data = encode(Image.fromarray(ramp), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    pixels = decode(data).pixels
    assert pixels.shape == (4, 256, 3)
    expected = (ramp.astype(np.float64) * 255 / 65535).astype(np.int16)
    assert np.abs(pixels[:, :, 0].astype(np.int16) - expected).max() <= 1
    assert pixels.min() == 0 and pixels.max() == 255
    assert (pixels == 255).mean() < 0.01  # clipping at 255 would make nearly all of it white
    assert 120 <= pixels[:, 128].mean() <= 135


def test_a_dark_16_bit_image_stays_dark() -> None:
    dark = np.tile(np.arange(256, dtype=np.uint16), (4, 1))  # 16-bit values 0..255: nearly black
    pixels = decode(encode(Image.fromarray(dark), "PNG")).pixels
    assert pixels.max() <= 1


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_transparency_is_composited_over_white(
    fmt: str, photo: Image.Image, engine: FaceEngine, reference_face: DetectedFace
) -> None:
    quantized = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=255)
    indices = np.asarray(quantized).copy()
    assert indices.max() < 255
    indices[:40, :40] = 255  # the transparent entry, black in the palette
    image = Image.fromarray(indices, "P")
    palette = quantized.getpalette() or []
    image.putpalette([*palette[: 255 * 3], 0, 0, 0])
    data = encode(image, fmt, transparency=255)
    assert Image.open(io.BytesIO(data)).mode == "P"
    decoded = decode(data)
    assert_bgr_image(decoded, UPRIGHT_SHAPE, fmt)
    assert (decoded.pixels[:40, :40] == 255).all()
    opaque = np.asarray(image.convert("RGB"))[:, :, ::-1]
    assert np.array_equal(decoded.pixels[40:], opaque[40:])
    assert_same_face(engine.detect(decoded.pixels), reference_face)


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("GIF", {}),
        ("PNG", {}),  # APNG
        ("WEBP", {"lossless": True}),
        ("TIFF", {}),  # two pages
    ],
)
def test_first_frame_of_a_multi_frame_image(fmt: str, params: dict[str, object]) -> None:
    red = Image.new("RGB", (40, 30), (255, 0, 0))
    blue = Image.new("RGB", (40, 30), (0, 0, 255))
    data = two_frames(red, blue, fmt, **params)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    decoded = decode(data)
    assert_bgr_image(decoded, (30, 40, 3), fmt)
    assert (decoded.pixels == RED_BGR).all()


def test_animated_gif_face_on_the_first_frame(
    photo: Image.Image, reference: BgrImage, engine: FaceEngine, reference_face: DetectedFace
) -> None:
    data = two_frames(photo, Image.new("RGB", photo.size, (0, 0, 255)), "GIF")
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    decoded = decode(data)
    assert_bgr_image(decoded, UPRIGHT_SHAPE, "GIF")
    assert mean_error(decoded.pixels, reference) <= 3.0
    assert_same_face(engine.detect(decoded.pixels), reference_face)


# EXIF orientation -------------------------------------------------------------------------------------


def test_exif_rotated_jpeg_is_turned_upright(
    photo: Image.Image, reference: BgrImage, engine: FaceEngine, reference_face: DetectedFace
) -> None:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    data = encode(photo.transpose(T.ROTATE_90), "JPEG", quality=95, exif=exif)
    stored = Image.open(io.BytesIO(data))
    assert stored.size == (287, 233)  # stored on its side: wider than tall
    assert stored.getexif()[ORIENTATION_TAG] == 6
    decoded = decode(data)
    assert_bgr_image(decoded, UPRIGHT_SHAPE, "JPEG")  # taller than wide again
    assert mean_error(decoded.pixels, reference) <= 1.5
    assert_same_face(engine.detect(decoded.pixels), reference_face)


@pytest.mark.parametrize("orientation", sorted(STORED_FOR_ORIENTATION))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_every_exif_orientation_in_every_container(
    fmt: str, orientation: int, photo: Image.Image, reference: BgrImage
) -> None:
    transform = STORED_FOR_ORIENTATION[orientation]
    stored = photo if transform is None else photo.transpose(transform)
    if fmt == "TIFF":
        data = encode(stored, fmt, tiffinfo={ORIENTATION_TAG: orientation})
    else:
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        params: dict[str, object] = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}.get(
            fmt, {}
        )
        data = encode(stored, fmt, exif=exif, **params)
    decoded = decode(data)
    assert_bgr_image(decoded, UPRIGHT_SHAPE, fmt)
    assert mean_error(decoded.pixels, reference) <= (1.5 if fmt == "JPEG" else 0.0)


@pytest.mark.parametrize("orientation", [0, 9, 65535])
def test_nonsense_exif_orientation_is_ignored(
    orientation: int, photo: Image.Image, reference: BgrImage
) -> None:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    decoded = decode(encode(photo, "PNG", exif=exif))
    assert np.array_equal(decoded.pixels, reference)


# Limits -----------------------------------------------------------------------------------------------


def test_byte_limit(original: bytes) -> None:
    assert decode(original, max_bytes=len(original)).pixels.shape == UPRIGHT_SHAPE
    with pytest.raises(ImageTooLarge):
        decode(original, max_bytes=len(original) - 1)
    # Checked before anything is parsed: even garbage over the limit is "too large".
    with pytest.raises(ImageTooLarge):
        decode(b"x" * 1001, max_bytes=1000)


def test_pixel_limit(original: bytes) -> None:
    assert decode(original, max_pixels=233 * 287).pixels.shape == UPRIGHT_SHAPE
    with pytest.raises(ImageTooLarge):
        decode(original, max_pixels=233 * 287 - 1)


def test_black_png_helper_writes_a_valid_png() -> None:
    data = black_png(70, 45)
    assert Image.open(io.BytesIO(data)).size == (70, 45)
    pixels = decode(data).pixels
    assert pixels.shape == (45, 70, 3) and not pixels.any()
    with pytest.raises(CorruptImage):
        decode(black_png(70, 45, pixel_data=False))


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = black_png(20_000, 20_000)  # 400 megapixels in a few dozen kB
    assert len(bomb) < 200_000
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge):
        decode(bomb)
    assert time.perf_counter() - started < 2.0  # decoding 400 Mpx would take far longer
    # Not decoded at all: with its pixel data broken, it is still "too large", never "corrupt".
    with pytest.raises(ImageTooLarge):
        decode(black_png(20_000, 20_000, pixel_data=False))


def test_pixel_limit_is_checked_before_decoding() -> None:
    # 9 Mpx: under Pillow's own bomb threshold, so only our limit stands in the way.
    header_only = black_png(3000, 3000, pixel_data=False)
    with pytest.raises(ImageTooLarge):
        decode(header_only, max_pixels=1_000_000)
    with pytest.raises(CorruptImage):  # allowed through, the broken pixel data is then found
        decode(header_only, max_pixels=10_000_000)


def test_a_configured_pixel_limit_above_pillows_threshold_is_honoured() -> None:
    """Pillow warns over 89 Mpx and refuses over twice that; between the two, max_pixels decides."""
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS < 10_000 * 9_500 < 2 * Image.MAX_IMAGE_PIXELS
    header_only = black_png(10_000, 9_500, pixel_data=False)
    with pytest.warns(Image.DecompressionBombWarning):  # Pillow's, as it reads the header
        with pytest.raises(ImageTooLarge, match="the limit is 90000000"):
            decode(header_only, max_pixels=90_000_000)
        with pytest.raises(CorruptImage):  # past the size checks: only the broken pixels stop it
            decode(header_only, max_pixels=100_000_000)
    with pytest.raises(ImageTooLarge):  # over Pillow's hard limit, whatever max_pixels says
        decode(black_png(20_000, 20_000, pixel_data=False), max_pixels=500_000_000)


# Empty, foreign and broken input ----------------------------------------------------------------------


def test_empty_bytes() -> None:
    with pytest.raises(EmptyImage):
        decode(b"")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n",
        b"Hello, this is plain text and not a picture of anyone.\n" * 20,
        b"<!DOCTYPE html><html><body><img src='face.jpg'></body></html>",
        b"\x00",
        b"\xff\xd8",  # the first two bytes of a JPEG
    ],
    ids=["random", "pdf", "text", "html", "one_byte", "jpeg_magic_only"],
)
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(UnsupportedImage):
        decode(data)


def test_random_bytes_are_always_unsupported() -> None:
    generator = random.Random(2024)
    for _ in range(300):
        data = generator.randbytes(generator.choice([1, 7, 64, 512, 4096]))
        with pytest.raises(UnsupportedImage):
            decode(data)


def test_truncated_jpeg_is_corrupt(original: bytes) -> None:
    with pytest.raises(CorruptImage):
        decode(original[: len(original) // 2])


@pytest.mark.parametrize("case", ["jpeg", "png", "palette_png", "webp", "bmp", "gif", "tiff"])
def test_every_format_cut_in_half_is_corrupt(case: str, photo: Image.Image) -> None:
    data = COLOUR_CASES[case][0](photo)
    with pytest.raises(CorruptImage):
        decode(data[: len(data) // 2])


OTHER_FORMATS: dict[str, Callable[[Image.Image], bytes]] = {
    "ICO": lambda p: encode(p, "ICO"),
    "PCX": lambda p: encode(p, "PCX"),
    "PPM": lambda p: encode(p, "PPM"),
    "TGA": lambda p: encode(p, "TGA"),
    "QOI": lambda p: encode(p, "QOI"),
    "SGI": lambda p: encode(p, "SGI"),
    "DDS": lambda p: encode(p, "DDS"),
    "EPS": lambda p: encode(p, "EPS"),
    "XBM": lambda p: encode(p.convert("1"), "XBM"),
    "JPEG2000": lambda p: encode(p, "JPEG2000"),
}


@pytest.mark.parametrize("fmt", OTHER_FORMATS)
def test_formats_pillow_reads_but_we_do_not_accept(fmt: str, photo: Image.Image) -> None:
    if fmt == "JPEG2000" and not features.check("jpg_2000"):
        pytest.skip("this Pillow has no OpenJPEG")
    data = OTHER_FORMATS[fmt](photo)
    assert Image.open(io.BytesIO(data)).format == fmt  # Pillow would decode it
    with pytest.raises(UnsupportedImage, match=fmt):
        decode(data)


@pytest.mark.filterwarnings("ignore:Truncated File Read:UserWarning")  # libtiff's, on cut files
@pytest.mark.parametrize("case", ["jpeg", "png", "palette_png", "webp", "gif", "tiff", "bmp"])
def test_damaged_files_raise_only_image_errors(case: str, photo: Image.Image) -> None:
    """Bytes overwritten at random (and sometimes cut short): each upload either decodes to a proper
    image or raises an ImageError, never Pillow's or numpy's own exceptions."""
    small = photo.resize((60, 74))
    data = COLOUR_CASES[case][0](small)
    generator = random.Random(case)
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(generator.choice([1, 2, 4, 16])):
            damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        if generator.random() < 0.3:
            damaged = damaged[: generator.randrange(1, len(damaged))]
        try:
            decoded = decode(bytes(damaged))
        except ImageError:
            continue
        assert decoded.pixels.ndim == 3 and decoded.pixels.shape[2] == 3
        assert decoded.pixels.dtype == np.uint8


# The labelled photos ----------------------------------------------------------------------------------


def _format_tag(tags: str) -> str | None:
    """``format:webp_with_jpg_extension`` -> ``WEBP``; ``format:jpeg`` -> ``JPEG``."""
    for tag in tags.split(";"):
        if tag.startswith("format:"):
            return tag.removeprefix("format:").split("_")[0].upper()
    return None


def test_facedata_format_tricks_decode_as_their_real_format(
    facedata: Facedata, engine: FaceEngine
) -> None:
    rows = [r for r in facedata.rows if _format_tag(r["tags"])]
    assert len(rows) >= 10
    for row in rows:
        path = facedata.path(row["file"])
        fmt = _format_tag(row["tags"])
        decoded = decode(path.read_bytes())
        width, height = Image.open(path).size
        assert_bgr_image(decoded, (height, width, 3), fmt or "")
        assert len(engine.detect(decoded.pixels)) >= int(row["faces_expected"]), path


def test_webp_under_a_jpeg_name_reports_webp(facedata: Facedata) -> None:
    disguised = [r for r in facedata.rows if "format:webp_with_jp" in r["tags"]]
    assert len(disguised) == 3
    for row in disguised:
        assert Path(row["file"]).suffix in {".jpg", ".jpeg"}
        decoded = decode(facedata.path(row["file"]).read_bytes())
        assert (decoded.format, decoded.mime) == ("WEBP", "image/webp")


def test_facedata_rotated_and_grayscale_photos_decode(facedata: Facedata) -> None:
    rows = [r for r in facedata.rows if "rotation:" in r["tags"] or "grayscale" in r["tags"]]
    assert len(rows) >= 10
    for row in rows:
        path = facedata.path(row["file"])
        width, height = Image.open(path).size  # none carries an EXIF orientation
        pixels = decode(path.read_bytes()).pixels
        assert pixels.shape == (height, width, 3) and pixels.dtype == np.uint8, path


def test_facedata_invalid_files_raise_image_errors(facedata: Facedata) -> None:
    rows = facedata.with_identity("INVALID")
    assert len(rows) == 3
    raised: dict[str, type[ImageError]] = {}
    for row in rows:
        try:
            decode(facedata.path(row["file"]).read_bytes())
        except ImageError as exc:  # anything else fails the test
            raised[Path(row["file"]).name] = type(exc)
        else:
            pytest.fail(f"{row['file']} decoded")
    assert raised["truncated.jpg"] is CorruptImage
    assert raised["empty.png"] is UnsupportedImage  # five bytes of text, not zero bytes
    # corrupted.png has a PNG signature but a broken header chunk: a damaged image, not another format.
    assert raised["corrupted.png"] is CorruptImage
