"""SCRFD face detector (boxes, scores, 5 landmarks) on an ONNX Runtime session.

Follows InsightFace's SCRFD post-processing (anchor-free distance decoding over strides 8/16/32,
score cut-off, NMS) so that its output matches the reference pipeline. Thread-safe: holds only
read-only state after construction, and ONNX Runtime sessions may be run from several threads.

Two ways to size the network's input (SCRFD is fully convolutional, any multiple of 32 works):

- ``letterbox``: InsightFace's. The photo is scaled, up or down, so that its longer side is
  ``size_px``, into a ``size_px`` square padded with black. Every photo costs a 640x640 run.
- ``fitted``: the photo keeps its own size unless its longer side exceeds ``size_px`` (then it is
  scaled down as above), and is padded only up to the next multiple of 32 on each side. A 250x250
  photo runs at 256x256, about a sixth of the work, and a 4:3 photo at 640x480.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from facerec.errors import ModelError

FloatArray = npt.NDArray[np.float32]
DetectorInput = Literal["letterbox", "fitted"]
STRIDE_MAX_PX = 32  # the coarsest feature map: input sides must be multiples of it


@dataclass(frozen=True, eq=False)
class Detections:
    """Raw detector output: ``boxes`` N x 4 (x1, y1, x2, y2), ``scores`` N, ``landmarks`` N x 5 x 2."""

    boxes: FloatArray
    scores: FloatArray
    landmarks: FloatArray

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    def shifted(self, dx: float, dy: float) -> Detections:
        offset = np.array([dx, dy], dtype=np.float32)
        return Detections(
            boxes=self.boxes + np.tile(offset, 2),
            scores=self.scores,
            landmarks=self.landmarks + offset,
        )

    def mapped(self, to: Callable[[FloatArray], FloatArray]) -> Detections:
        """The detections with every point (box corners, landmarks) mapped by ``to``, a mapping
        that keeps the order of coordinates (a scale and a shift)."""
        return Detections(
            boxes=to(self.boxes.reshape(-1, 2, 2)).reshape(-1, 4),
            scores=self.scores,
            landmarks=to(self.landmarks),
        )


EMPTY = Detections(
    boxes=np.zeros((0, 4), np.float32),
    scores=np.zeros((0,), np.float32),
    landmarks=np.zeros((0, 5, 2), np.float32),
)


class ScrfdDetector:
    """SCRFD with keypoints (the ``*_bnkps`` / ``det_*`` models of InsightFace's packs)."""

    input_mean = 127.5
    input_std = 128.0

    def __init__(self, session: ort.InferenceSession, *, nms_iou: float = 0.4) -> None:
        self.session = session
        self.nms_iou = nms_iou
        self.input_name = session.get_inputs()[0].name
        outputs = session.get_outputs()
        self.output_names = [o.name for o in outputs]
        self.strides: tuple[int, ...]
        if len(outputs) == 9:
            self.strides, self.num_anchors = (8, 16, 32), 2
        elif len(outputs) == 15:
            self.strides, self.num_anchors = (8, 16, 32, 64, 128), 1
        else:
            raise ModelError(
                f"detector has {len(outputs)} outputs; an SCRFD model with keypoints "
                "(9 or 15 outputs) is required"
            )
        self.batched = len(outputs[0].shape) == 3
        self._centers: dict[tuple[int, int, int], FloatArray] = {}

    def detect(
        self,
        image_bgr: npt.NDArray[np.uint8],
        *,
        size_px: int,
        score_min: float,
        sizing: DetectorInput = "letterbox",
    ) -> Detections:
        """All faces in ``image_bgr`` scoring at least ``score_min``, best first."""
        canvas, scale = input_canvas(image_bgr, size_px=size_px, sizing=sizing)
        canvas_h, canvas_w = canvas.shape[:2]
        blob = cv2.dnn.blobFromImage(
            canvas,
            1.0 / self.input_std,
            (canvas_w, canvas_h),
            (self.input_mean, self.input_mean, self.input_mean),
            swapRB=True,
        )
        outputs = self.session.run(self.output_names, {self.input_name: blob})
        boxes, scores, landmarks = self._decode(outputs, canvas_h, canvas_w, score_min)
        if scores.size == 0:
            return EMPTY
        order = np.argsort(-scores, kind="stable")
        boxes, scores, landmarks = boxes[order] / scale, scores[order], landmarks[order] / scale
        keep = self._nms(boxes, scores)
        return Detections(
            boxes=boxes[keep].astype(np.float32),
            scores=scores[keep].astype(np.float32),
            landmarks=landmarks[keep].astype(np.float32),
        )

    def _decode(
        self, outputs: list[npt.NDArray[np.float32]], height: int, width: int, score_min: float
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        fmc = len(self.strides)
        all_scores, all_boxes, all_kps = [], [], []
        for idx, stride in enumerate(self.strides):
            scores = outputs[idx]
            box_pred = outputs[idx + fmc]
            kps_pred = outputs[idx + fmc * 2]
            if self.batched:
                scores, box_pred, kps_pred = scores[0], box_pred[0], kps_pred[0]
            box_pred = box_pred * stride
            kps_pred = kps_pred * stride
            centers = self._anchor_centers(height // stride, width // stride, stride)
            hits = np.where(scores.reshape(-1) >= score_min)[0]
            if hits.size == 0:
                continue
            c = centers[hits]
            d = box_pred[hits]
            all_boxes.append(
                np.stack(
                    [c[:, 0] - d[:, 0], c[:, 1] - d[:, 1], c[:, 0] + d[:, 2], c[:, 1] + d[:, 3]],
                    axis=-1,
                )
            )
            all_scores.append(scores.reshape(-1)[hits])
            k = kps_pred[hits].reshape(-1, 5, 2)
            all_kps.append(c[:, None, :] + k)
        if not all_scores:
            return EMPTY.boxes, EMPTY.scores, EMPTY.landmarks
        return np.vstack(all_boxes), np.concatenate(all_scores), np.vstack(all_kps)

    def _anchor_centers(self, height: int, width: int, stride: int) -> FloatArray:
        key = (height, width, stride)
        centers = self._centers.get(key)
        if centers is None:
            rows, cols = np.mgrid[:height, :width]
            grid = np.stack([cols, rows], axis=-1).astype(np.float32)
            centers = (grid * stride).reshape(-1, 2)
            if self.num_anchors > 1:
                centers = np.stack([centers] * self.num_anchors, axis=1).reshape(-1, 2)
            self._centers[key] = centers  # benign race: every thread computes the same array
        return centers

    def _nms(self, boxes: FloatArray, scores: FloatArray) -> list[int]:
        x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
        areas = (x2 - x1 + 1) * (y2 - y1 + 1)
        order = np.argsort(-scores, kind="stable")
        keep: list[int] = []
        while order.size > 0:
            i = int(order[0])
            keep.append(i)
            xx1 = np.maximum(x1[i], x1[order[1:]])
            yy1 = np.maximum(y1[i], y1[order[1:]])
            xx2 = np.minimum(x2[i], x2[order[1:]])
            yy2 = np.minimum(y2[i], y2[order[1:]])
            inter = np.maximum(0.0, xx2 - xx1 + 1) * np.maximum(0.0, yy2 - yy1 + 1)
            overlap = inter / (areas[i] + areas[order[1:]] - inter)
            order = order[np.where(overlap <= self.nms_iou)[0] + 1]
        return keep


def input_canvas(
    image_bgr: npt.NDArray[np.uint8], *, size_px: int, sizing: DetectorInput
) -> tuple[npt.NDArray[np.uint8], float]:
    """The detector's input picture (the photo scaled and padded with black at the right and
    bottom) and the scale from photo to canvas."""
    height, width = image_bgr.shape[:2]
    if sizing == "fitted" and max(height, width) <= size_px:
        new_w, new_h, scale = width, height, 1.0
        resized = image_bgr
    else:
        # InsightFace's arithmetic, kept exactly: the same sizes give the same detections.
        if height / width > 1.0:
            new_h, new_w = size_px, int(size_px / (height / width))
        else:
            new_w, new_h = size_px, int(size_px * (height / width))
        new_w, new_h = max(new_w, 1), max(new_h, 1)
        scale = new_h / height
        resized = np.asarray(cv2.resize(image_bgr, (new_w, new_h)), dtype=np.uint8)
    if sizing == "fitted":
        canvas_h, canvas_w = _round_up(new_h, STRIDE_MAX_PX), _round_up(new_w, STRIDE_MAX_PX)
    else:  # a size that is not a multiple of 32 would not match the anchors: pad up to one
        canvas_h = canvas_w = _round_up(size_px, STRIDE_MAX_PX)
    if (canvas_h, canvas_w) == (new_h, new_w):
        return resized, scale
    canvas = np.zeros((canvas_h, canvas_w, 3), dtype=np.uint8)
    canvas[:new_h, :new_w] = resized
    return canvas, scale


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
