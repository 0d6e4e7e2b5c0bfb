"""Decoding uploads into pixels, safely.

Accepts JPEG, PNG (RGBA, 16-bit, palette), WebP, BMP, GIF (first frame) and TIFF; applies EXIF
orientation; converts grayscale, CMYK and alpha to RGB. Enforces limits on bytes and pixels before
decoding the pixel data (decompression bombs). Returns BGR uint8, the layout the models and OpenCV use.
Pillow reads every header; whole 8-bit colour or gray JPEGs (most uploads) are then decoded by OpenCV,
to the same pixels, twice as fast. A large JPEG can be decoded at 1/2, 1/4 or 1/8 of its size
(libjpeg's DCT scaling, ``reduce_to_px``): the detector never sees more than its input size, and the
full resolution is decoded only when a face needs it (``DecodedImage.at``).
Pillow's errors are translated here into ``ImageError`` subclasses. Imports nothing of the web or the
database.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from facerec.errors import CorruptImage, EmptyImage, ImageTooLarge, UnsupportedImage

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF", "MPO"})
MIME_BY_FORMAT = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
}

# Magic numbers of the formats we accept: a file that starts like one of them but cannot be opened is
# a damaged image (400), not an unsupported one (415).
SIGNATURES = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)  # WebP ("RIFF", size, "WEBP") is checked apart

BgrImage = npt.NDArray[np.uint8]
FloatPoints = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An upright photo. ``pixels`` may be the photo decoded at 1/``reduction`` of its size on each
    side; ``at(r)`` decodes it again at 1/r (1: the whole resolution) on first use, and
    ``to_photo``/``from_photo`` map points between a copy and the photo."""

    pixels: BgrImage  # H x W x 3, BGR, uint8, upright
    format: str
    mime: str
    reduction: int = 1
    _data: bytes = field(default=b"", repr=False)  # the JPEG, for copies at other reductions
    _jpeg: _PlainJpeg | None = field(default=None, repr=False)
    _copies: dict[int, BgrImage] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def width_px(self) -> int:
        """The photo's own width, upright."""
        return self._size()[0]

    @property
    def height_px(self) -> int:
        return self._size()[1]

    def _size(self) -> tuple[int, int]:
        jpeg = self._jpeg
        if jpeg is None:
            return int(self.pixels.shape[1]), int(self.pixels.shape[0])
        sideways = jpeg.orientation in (5, 6, 7, 8)
        return (jpeg.height, jpeg.width) if sideways else (jpeg.width, jpeg.height)

    @classmethod
    def of(cls, pixels: BgrImage) -> DecodedImage:
        """Pixels already decoded at full size (a test's or a benchmark's array)."""
        return cls(pixels=pixels, format="", mime="")

    def at(self, reduction: int) -> BgrImage:
        """The photo at 1/``reduction`` of its size (1, or a smaller reduction than ``pixels``'s),
        decoded once, on first use."""
        if reduction == self.reduction or self._jpeg is None:
            return self.pixels
        with self._lock:
            if reduction not in self._copies:
                pixels = _decode_jpeg(self._data, self._jpeg, reduction)
                if pixels is None:  # libjpeg decoded it once already; not expected
                    raise CorruptImage("the image could not be decoded again")
                self._copies[reduction] = pixels
            return self._copies[reduction]

    def full_pixels(self) -> BgrImage:
        return self.at(1)

    def to_photo(self, points: FloatPoints, reduction: int) -> FloatPoints:
        """Points (..., 2: x, y) of the copy at 1/``reduction`` in the photo's coordinates."""
        if reduction == 1:
            return points
        offset = np.asarray(self._offset(reduction), dtype=np.float32)
        return np.asarray(points * reduction + offset, dtype=np.float32)

    def from_photo(self, points: FloatPoints, reduction: int) -> FloatPoints:
        """Points of the photo in the copy at 1/``reduction``'s coordinates."""
        if reduction == 1:
            return points
        offset = np.asarray(self._offset(reduction), dtype=np.float32)
        return np.asarray((points - offset) / reduction, dtype=np.float32)

    def _offset(self, reduction: int) -> tuple[float, float]:
        """Reduced pixel i covers the stored photo's pixels i*r to (i+1)*r - 1, its centre at
        i*r + (r-1)/2; the last one covers what is left (libjpeg rounds the size up). Turned
        upright, an axis that the orientation mirrors starts with that partial pixel, which moves
        the whole axis back by what it lacks."""
        centre = (reduction - 1) / 2.0
        jpeg = self._jpeg
        if jpeg is None:
            return centre, centre
        lack_x = -(-jpeg.width // reduction) * reduction - jpeg.width  # of the stored photo
        lack_y = -(-jpeg.height // reduction) * reduction - jpeg.height
        # Each orientation's upright x and y: the stored axis they come from, and whether mirrored.
        mirrored_x, mirrored_y = {
            2: (lack_x, 0),
            3: (lack_x, lack_y),
            4: (0, lack_y),
            6: (lack_y, 0),
            7: (lack_y, lack_x),
            8: (0, lack_x),
        }.get(jpeg.orientation, (0, 0))
        return centre - mirrored_x, centre - mirrored_y


def decode_image(
    data: bytes, *, max_bytes: int, max_pixels: int, reduce_to_px: int | None = None
) -> DecodedImage:
    """Decode ``data`` into an upright BGR image, or raise an ``ImageError``.

    With ``reduce_to_px``, a whole 8-bit JPEG is decoded at the smallest of 1/2, 1/4 and 1/8 of its
    size whose longer side is still at least ``reduce_to_px`` (several times faster on a camera
    photo: bench/results/micro.md); other photos, and JPEGs too small for it, are decoded whole."""
    if not data:
        raise EmptyImage("the image is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageTooLarge(f"the image is {len(data)} bytes; the limit is {max_bytes}")
    try:
        # Pillow only warns between its own thresholds (89 to 179 Mpx); our max_pixels, checked
        # right below before any pixel is decoded, is the limit that counts.
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        if data.startswith(SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            raise CorruptImage("the image is damaged: its header cannot be read") from exc
        raise UnsupportedImage(
            "not a supported image (JPEG, PNG, WebP, BMP, GIF or TIFF expected)"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge("the image has too many pixels") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptImage(f"the image could not be read: {exc}") from exc

    fmt = (image.format or "").upper()
    if fmt not in ALLOWED_FORMATS:
        raise UnsupportedImage(f"image format {fmt or 'unknown'} is not supported")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(f"the image is {width}x{height} pixels; the limit is {max_pixels}")
    if width < 1 or height < 1:
        raise CorruptImage("the image has no pixels")
    mime = MIME_BY_FORMAT[fmt]
    plain = _plain_jpeg(data, image) if fmt == "JPEG" else None
    reduction = _reduction(width, height, reduce_to_px) if plain else 1
    pixels = _decode_jpeg(data, plain, reduction) if plain else None
    if plain is None or pixels is None:  # not a plain JPEG, or one that libjpeg refused
        return DecodedImage(pixels=_decode_with_pillow(image), format=fmt, mime=mime)
    if reduction == 1:
        return DecodedImage(pixels=pixels, format=fmt, mime=mime)
    return DecodedImage(
        pixels=pixels, format=fmt, mime=mime, reduction=reduction, _data=data, _jpeg=plain
    )


REDUCTIONS = (8, 4, 2)
_REDUCED_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def _reduction(width: int, height: int, reduce_to_px: int | None) -> int:
    """The largest DCT scaling that keeps the longer side at least ``reduce_to_px``; 1 for none."""
    if not reduce_to_px:
        return 1
    longer = max(width, height)
    return next((r for r in REDUCTIONS if longer // r >= reduce_to_px), 1)


def _decode_with_pillow(image: Image.Image) -> BgrImage:
    try:
        image.seek(0)  # first frame of a GIF or multi-page TIFF
        image.load()
        # In place: without an orientation tag this costs nothing, where a copy would copy every
        # pixel (bench/results/micro.md).
        ImageOps.exif_transpose(image, in_place=True)
        rgb = _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(f"the image is damaged: {exc}") from exc
    # OpenCV swaps the channels in one vectorised pass, several times faster than numpy's [..., ::-1]
    # copy (bench/results/micro.md).
    return np.asarray(cv2.cvtColor(np.asarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2BGR), np.uint8)


@dataclass(frozen=True)
class _PlainJpeg:
    """A JPEG that OpenCV decodes as Pillow would: its size and EXIF orientation, read by Pillow."""

    width: int
    height: int
    orientation: int


def _plain_jpeg(data: bytes, image: Image.Image) -> _PlainJpeg | None:
    """An 8-bit colour or gray JPEG that OpenCV may decode; None for anything else.

    OpenCV's decoding is the same libjpeg decoding as Pillow's, pixel for pixel (all 277 such
    photos of facedata), in about half the time: Pillow's pixels reach numpy through an extra copy.
    Two things Pillow does are kept: the orientation is read by Pillow (EXIF, or XMP without EXIF),
    and a JPEG cut short goes to Pillow, which refuses it where libjpeg would fill the missing part
    with grey.
    """
    if image.mode not in ("RGB", "L") or not _jpeg_runs_to_its_end(data):
        return None
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError, EOFError):
        return None  # Pillow reports the damage
    return _PlainJpeg(width=image.width, height=image.height, orientation=orientation)


def _decode_jpeg(data: bytes, jpeg: _PlainJpeg, reduction: int) -> BgrImage | None:
    """The JPEG decoded by OpenCV at 1/``reduction`` of its size, upright; None if OpenCV fails."""
    flags = _REDUCED_FLAGS[reduction] | cv2.IMREAD_IGNORE_ORIENTATION
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    expected = (-(-jpeg.height // reduction), -(-jpeg.width // reduction))  # libjpeg rounds up
    if pixels is None or pixels.shape[:2] != expected:
        return None
    return _upright(np.asarray(pixels, dtype=np.uint8), jpeg.orientation)


EXIF_ORIENTATION = 0x0112


def _upright(pixels: BgrImage, orientation: int) -> BgrImage:
    """ImageOps.exif_transpose's transposition for an EXIF orientation, in OpenCV."""
    if orientation == 2:
        turned = cv2.flip(pixels, 1)
    elif orientation == 3:
        turned = cv2.rotate(pixels, cv2.ROTATE_180)
    elif orientation == 4:
        turned = cv2.flip(pixels, 0)
    elif orientation == 5:
        turned = cv2.transpose(pixels)
    elif orientation == 6:
        turned = cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE)
    elif orientation == 7:
        turned = cv2.flip(cv2.transpose(pixels), -1)
    elif orientation == 8:
        turned = cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    else:  # 1, or nonsense: as it is
        turned = pixels
    return np.ascontiguousarray(turned, dtype=np.uint8)


# After a scan: a marker is 0xFF then a byte other than 0x00 (a stuffed 0xFF in the data), 0xFF (a
# fill byte: the marker starts at the next one) and the restart markers 0xD0 to 0xD7, which belong to
# the scan. (Written "\xff+[...]", the same search runs many times slower: bench/results/micro.md.)
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_runs_to_its_end(data: bytes) -> bool:
    """Whether the first image's segments and scans all lie whole in ``data``, up to its
    end-of-image marker."""
    if not data.startswith(b"\xff\xd8"):
        return False
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image
            return True
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                return False
            pos = found.start()
    return data[pos : pos + 2] == b"\xff\xd9"


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any mode to 8-bit RGB, compositing alpha over white."""
    if image.mode.startswith("I;16"):
        array = np.asarray(image, dtype=np.float64) / 257.0
        image = Image.fromarray(np.clip(np.rint(array), 0, 255).astype(np.uint8), "L")
    elif image.mode == "I":
        # 32-bit integer gray (16-bit PNGs open so in some Pillow versions): scale by the range the
        # values actually use, 8 or 16 bits.
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if array.max() > 255 else 255.0
        image = Image.fromarray(
            np.clip(np.rint(array * (255.0 / top)), 0, 255).astype(np.uint8), "L"
        )
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image
