"""The embedder: the faces of an image in batches of a few, the same vectors whatever the batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facerec.engine.align import align_face
from facerec.engine.embedder import BATCH_MAX
from facerec.engine.image import decode_image
from facerec.engine.models import bundled_dir, get_pack, verify_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions


@pytest.fixture(scope="module")
def crops(engine: FaceEngine, samples: Path) -> list[np.ndarray]:  # type: ignore[type-arg]
    image = decode_image(
        (samples / "players.jpg").read_bytes(), max_bytes=10**8, max_pixels=10**8
    ).pixels
    return [align_face(image, np.asarray(f.landmarks, np.float32)) for f in engine.detect(image)]


def test_the_recognizer_takes_a_batch_of_any_size(
    engine: FaceEngine,
    crops: list[np.ndarray],  # type: ignore[type-arg]
) -> None:
    assert len(crops) == 22
    assert engine.embedder.batch_max == BATCH_MAX == 4  # its input's batch dimension is free
    one_by_one = np.vstack([engine.embedder.embed([c]) for c in crops])
    for batch_max in (1, 3, 4, 22, 50):
        embedder = FaceEngine(
            verify_pack(get_pack("bundled"), bundled_dir()),
            SessionOptions(),
            DetectionOptions(),
            embed_batch_max=batch_max,
        ).embedder
        vectors = embedder.embed(crops)
        assert vectors.shape == (22, 512) and vectors.dtype == np.float32
        # In order, and the same vectors (to float rounding) however the faces were grouped.
        assert np.min(np.sum(vectors * one_by_one, axis=1)) > 0.99999


def test_no_faces_no_run(engine: FaceEngine) -> None:
    assert engine.embedder.embed([]).shape == (0, 512)


def test_a_batch_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_max"):
        FaceEngine(
            verify_pack(get_pack("bundled"), bundled_dir()),
            SessionOptions(),
            DetectionOptions(),
            embed_batch_max=0,
        )
