"""The face pipeline: decode → detect (with a padded retry) → align → embed, in batches per image.

Each method takes pixels or a ``DecodedImage``. A decoded image may hold a reduced copy of a large
JPEG (``decode_image``'s ``reduce_to_px``): the detector runs on it, coordinates are the photo's,
and a face is aligned from the reduced copy when it holds at least the crop's resolution of that
face, else from the full resolution, decoded then.

``FaceEngine`` is built once at start-up from verified model files and is thread-safe: it holds only
read-only state and ONNX Runtime sessions, which may be run from several threads at once.
Imports nothing of the web or the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from facerec.domain import BoundingBox, DetectedFace, EmbeddedFace, unit_embedding
from facerec.engine import quality
from facerec.engine.align import align_face, crop_scale
from facerec.engine.detector import EMPTY, Detections, DetectorInput, ScrfdDetector
from facerec.engine.embedder import BATCH_MAX, ArcFaceEmbedder
from facerec.engine.image import BgrImage, DecodedImage
from facerec.engine.models import PackFiles
from facerec.engine.session import (
    SessionOptions,
    create_session,
    limit_blas_threads,
    provider_in_use,
)

log = logging.getLogger(__name__)

Image = BgrImage | DecodedImage

ROTATIONS = (cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)
ORIENTATION_MARGIN = 0.1


@dataclass(frozen=True)
class DetectionOptions:
    """``size_px`` is the detector's input size (``letterbox``) or its largest side (``fitted``);
    see ``facerec.engine.detector``."""

    size_px: int = 640
    sizing: DetectorInput = "fitted"
    score_min: float = 0.5
    nms_iou: float = 0.4
    pad_retry_ratio: float = 0.5
    orientation_check_below: float = 0.7


class FaceEngine:
    """Detection and embedding for one model pack. Thread-safe."""

    def __init__(
        self,
        files: PackFiles,
        session_options: SessionOptions,
        detection: DetectionOptions,
        *,
        embed_batch_max: int = BATCH_MAX,
    ) -> None:
        self.pack = files.pack
        self.detection = detection
        limit_blas_threads(session_options.blas_threads)
        det_session = create_session(files.detector_path, session_options)
        rec_session = create_session(files.recognizer_path, session_options)
        self.detector = ScrfdDetector(det_session, nms_iou=detection.nms_iou)
        self.embedder = ArcFaceEmbedder(rec_session, batch_max=embed_batch_max)
        self.provider = provider_in_use(rec_session)

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def warm_up(self) -> None:
        """Run each model once so that the first request does not pay for graph initialisation."""
        blank = np.zeros((self.detection.size_px, self.detection.size_px, 3), dtype=np.uint8)
        self.detector.detect(
            blank, size_px=self.detection.size_px, score_min=self.detection.score_min
        )
        self.embedder.embed([np.zeros((112, 112, 3), dtype=np.uint8)])

    def detect(self, image: Image) -> list[DetectedFace]:
        """Every face in the image, largest first, in the photo's coordinates."""
        decoded = _decoded(image)
        found = self._detect_raw(decoded.pixels)
        if decoded.reduction > 1:
            found = found.mapped(lambda points: decoded.to_photo(points, decoded.reduction))
        faces = [_to_face(found, i) for i in range(len(found))]
        return sorted(faces, key=lambda f: f.bbox.area, reverse=True)

    def align_faces(self, image: Image, faces: list[DetectedFace]) -> list[BgrImage]:
        """The aligned crop of each face, from the most reduced copy of the photo that still
        holds at least the crop's resolution of that face (never enlarged where the photo has
        more pixels of it)."""
        decoded, size = _decoded(image), self.embedder.input_size_px
        crops = []
        for face in faces:
            points = np.asarray(face.landmarks, dtype=np.float32)
            reduction = decoded.reduction
            if reduction > 1:  # most photos are decoded whole: no second fit for them
                scale = crop_scale(points, size)
                while reduction > 1 and scale * reduction > 1.0:
                    reduction //= 2
            crops.append(
                align_face(decoded.at(reduction), decoded.from_photo(points, reduction), size)
            )
        return crops

    def embed_faces(self, image: Image, faces: list[DetectedFace]) -> list[EmbeddedFace]:
        """Embed the given faces of one image (in batches, see ``embedder``) and measure their
        quality."""
        crops = self.align_faces(image, faces)
        vectors = self.embedder.embed(crops)
        return [
            EmbeddedFace(
                face=f,
                embedding=unit_embedding(v),
                quality=quality.measure(crop, f),
            )
            for f, v, crop in zip(faces, vectors, crops, strict=True)
        ]

    def largest_face(self, image: Image) -> tuple[EmbeddedFace, list[DetectedFace]] | None:
        """The largest face embedded, with the image's other faces (largest first); None when the
        image has no face."""
        faces = self.detect(image)
        if not faces:
            return None
        return self.embed_faces(image, faces[:1])[0], faces[1:]

    def analyze(self, image: Image) -> list[EmbeddedFace]:
        """Detect and embed every face, largest first."""
        return self.embed_faces(image, self.detect(image))

    def _detect_raw(self, image: BgrImage) -> Detections:
        found = self._detect_at(image)
        if len(found):
            if _largest_score(found) < self.detection.orientation_check_below:
                return self._best_orientation(image, found)
            return found
        found = self._detect_padded(image)
        if len(found) or self.detection.orientation_check_below <= 0:
            return found
        # Last resort for photos stored sideways or upside down without an EXIF orientation.
        for rotation in ROTATIONS:
            found = self._detect_turned(image, rotation)
            if len(found):
                return found
        return found

    def _detect_padded(self, image: BgrImage) -> Detections:
        # SCRFD misses faces that fill the frame (ID photos, close-up selfies, tight crops): the
        # face is larger than its biggest anchors. Padding shrinks it into range.
        ratio = self.detection.pad_retry_ratio
        if ratio <= 0:
            return EMPTY
        height, width = image.shape[:2]
        pad_y, pad_x = int(height * ratio), int(width * ratio)
        padded = cv2.copyMakeBorder(
            image, pad_y, pad_y, pad_x, pad_x, cv2.BORDER_CONSTANT, value=(0, 0, 0)
        )
        return self._detect_at(np.asarray(padded, dtype=np.uint8)).shifted(-pad_x, -pad_y)

    def _best_orientation(self, image: BgrImage, upright: Detections) -> Detections:
        """A sideways face is often still detected, weakly and with wrong landmarks (so a wrong
        embedding). When the main face is weak, look at the photo turned by 90, 180 and 270 degrees
        and keep a turn whose main face is clearly stronger, as long as it finds as many faces.

        The turns are compared at the letterbox input, where ``ORIENTATION_MARGIN`` was set: a
        small photo run at its own size scores its faces lower, the right turn included (kun.jpg
        turned by 270 degrees: 0.65 upright, 0.71 turned back; 0.62 and 0.83 at the letterbox)."""
        sizing: DetectorInput = "letterbox"
        reference = upright if self.detection.sizing == sizing else self._detect_at(image, sizing)
        if not len(reference):  # a close-up, too large for the letterbox: compare as configured
            sizing, reference = self.detection.sizing, upright
        best, best_score = upright, _largest_score(reference) + ORIENTATION_MARGIN
        for rotation in ROTATIONS:
            turned = self._detect_turned(image, rotation, sizing)
            if len(turned) >= len(reference) and _largest_score(turned) > best_score:
                best, best_score = turned, _largest_score(turned)
        return best

    def _detect_turned(
        self, image: BgrImage, rotation: int, sizing: DetectorInput | None = None
    ) -> Detections:
        """Detect on the photo turned by ``rotation``; coordinates are the original photo's."""
        turned = self._detect_at(np.asarray(cv2.rotate(image, rotation), dtype=np.uint8), sizing)
        return _unrotate(turned, rotation, width=image.shape[1], height=image.shape[0])

    def _detect_at(self, image: BgrImage, sizing: DetectorInput | None = None) -> Detections:
        opts = self.detection
        return self.detector.detect(
            image, size_px=opts.size_px, score_min=opts.score_min, sizing=sizing or opts.sizing
        )


def _decoded(image: Image) -> DecodedImage:
    return image if isinstance(image, DecodedImage) else DecodedImage.of(image)


def _largest_score(found: Detections) -> float:
    """Detection score of the largest face."""
    areas = (found.boxes[:, 2] - found.boxes[:, 0]) * (found.boxes[:, 3] - found.boxes[:, 1])
    return float(found.scores[int(np.argmax(areas))])


def _to_face(found: Detections, i: int) -> DetectedFace:
    x1, y1, x2, y2 = (float(v) for v in found.boxes[i])
    landmarks = tuple((float(x), float(y)) for x, y in found.landmarks[i])
    return DetectedFace(
        bbox=BoundingBox(x1, y1, x2, y2), landmarks=landmarks, score=float(found.scores[i])
    )


def _unrotate(found: Detections, rotation: int, *, width: int, height: int) -> Detections:
    """Map detections made on a rotated copy back to the original image's coordinates."""

    def back(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        xr, yr = points[..., 0], points[..., 1]
        if rotation == cv2.ROTATE_90_CLOCKWISE:
            x, y = yr, height - xr
        elif rotation == cv2.ROTATE_90_COUNTERCLOCKWISE:
            x, y = width - yr, xr
        else:
            x, y = width - xr, height - yr
        return np.stack([x, y], axis=-1).astype(np.float32)

    corners = back(found.boxes.reshape(-1, 2, 2))
    boxes = np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)
    return Detections(boxes=boxes, scores=found.scores, landmarks=back(found.landmarks))


def cosine(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Cosine similarity of two unit vectors."""
    return float(np.dot(a, b))
