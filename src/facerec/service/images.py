"""How the service decodes an upload: the settings' limits on bytes and pixels, and a large JPEG
reduced for the detector where ``decode_reduced`` is on. Imports the settings and the engine's image
module only, so that the evaluation decodes exactly as the service does."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from facerec.config import Settings
from facerec.engine.image import DecodedImage, decode_image


def image_decoder(settings: Settings) -> Callable[[bytes], DecodedImage]:
    return partial(
        decode_image,
        max_bytes=settings.max_image_bytes,
        max_pixels=settings.max_image_pixels,
        reduce_to_px=settings.det_size_px if settings.decode_reduced else None,
    )
