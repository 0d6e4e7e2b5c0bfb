"""Run the real pipeline once over every photo of a dataset (decode, detect, embed the largest face,
measure its quality), with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tqdm import tqdm

from facerec.domain import QualityCheck, Vector
from facerec.engine.image import DecodedImage
from facerec.engine.pipeline import FaceEngine
from facerec.errors import ImageError
from facerec.evaluation.dataset import Dataset, Photo
from facerec.service.quality import QualityLimits, assess


@dataclass(frozen=True, eq=False)
class PhotoResult:
    photo: Photo
    faces_found: int
    embedding: Vector | None  # of the largest face
    quality: QualityCheck | None  # of the largest face
    error: str | None  # the error code when the file was refused


def analyse_photos(
    engine: FaceEngine,
    dataset: Dataset,
    *,
    limits: QualityLimits,
    decode: Callable[[bytes], DecodedImage],
    show_progress: bool = True,
) -> dict[str, PhotoResult]:
    results: dict[str, PhotoResult] = {}
    photos: Iterable[Photo] = dataset.photos
    if show_progress:
        photos = tqdm(dataset.photos, desc="photos", unit="photo")
    for photo in photos:
        try:
            data = dataset.path(photo.file).read_bytes()
            image = decode(data)
        except ImageError as exc:
            results[photo.file] = PhotoResult(photo, 0, None, None, exc.code)
            continue
        found = engine.largest_face(image)
        if found is None:
            results[photo.file] = PhotoResult(photo, 0, None, None, None)
            continue
        largest, others = found
        check = assess(largest.quality, limits, other_faces=others)
        results[photo.file] = PhotoResult(photo, 1 + len(others), largest.embedding, check, None)
    return results
