"""Decoding uploads into pixels, safely.

Accepts JPEG, PNG (RGBA, 16-bit, palette), WebP, BMP, GIF (first frame) and TIFF; applies EXIF
orientation; converts grayscale, CMYK and alpha to RGB. Enforces limits on bytes and pixels before
decoding the pixel data (decompression bombs). Returns BGR uint8, the layout the models and OpenCV use.
Pillow's errors are translated here into ``ImageError`` subclasses. Imports nothing of the web or the
database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

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


@dataclass(frozen=True, eq=False)
class DecodedImage:
    pixels: BgrImage  # H x W x 3, BGR, uint8, upright
    format: str
    mime: str

    @property
    def width_px(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height_px(self) -> int:
        return int(self.pixels.shape[0])


def decode_image(data: bytes, *, max_bytes: int, max_pixels: int) -> DecodedImage:
    """Decode ``data`` into an upright BGR image, or raise an ``ImageError``."""
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
    try:
        image.seek(0)  # first frame of a GIF or multi-page TIFF
        image.load()
        upright = ImageOps.exif_transpose(image)
        rgb = _to_rgb(upright)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(f"the image is damaged: {exc}") from exc
    pixels = np.asarray(rgb, dtype=np.uint8)[:, :, ::-1]
    return DecodedImage(pixels=np.ascontiguousarray(pixels), format=fmt, mime=MIME_BY_FORMAT[fmt])


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
