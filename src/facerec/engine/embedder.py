"""ArcFace embedder: aligned 112x112 crops in, L2-normalised 512-d float32 vectors out, in batches.

The faces of one image run together in batches of at most ``BATCH_MAX``, not all at once: on the
CPU, a face costs more in a large batch than in a small one (the activations of a large batch
outgrow the caches), while several threads need a few faces a run to share out. bench/engine.py
measures it ("Faces per recognizer run" in bench/results/engine.md).

Thread-safe: read-only state only; the ONNX Runtime session may be run from several threads.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from facerec.errors import ModelError

BATCH_MAX = 4


class ArcFaceEmbedder:
    input_mean = 127.5
    input_std = 127.5

    def __init__(self, session: ort.InferenceSession, *, batch_max: int = BATCH_MAX) -> None:
        if batch_max < 1:
            raise ValueError("batch_max must be at least 1")
        self.session = session
        inp = session.get_inputs()[0]
        self.input_name = inp.name
        self.output_name = session.get_outputs()[0].name
        shape = inp.shape
        if len(shape) != 4 or not isinstance(shape[2], int) or shape[2] != shape[3]:
            raise ModelError(f"recognizer input shape {shape} is not N x 3 x S x S")
        self.input_size_px = int(shape[2])
        out_dim = session.get_outputs()[0].shape[-1]
        self.dimension = int(out_dim) if isinstance(out_dim, int) else 512
        # A fixed batch dimension means one crop per run.
        self.batch_max = 1 if isinstance(shape[0], int) else batch_max

    def embed(self, crops: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.float32]:
        """Embed aligned BGR crops; returns N x D unit-length rows."""
        if not crops:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = (self.input_size_px, self.input_size_px)
        mean = (self.input_mean,) * 3
        rows = []
        for start in range(0, len(crops), self.batch_max):
            batch = crops[start : start + self.batch_max]
            blob = cv2.dnn.blobFromImages(batch, 1.0 / self.input_std, size, mean, swapRB=True)
            rows.append(self.session.run([self.output_name], {self.input_name: blob})[0])
        raw = np.asarray(np.vstack(rows), dtype=np.float32)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        if not np.all(np.isfinite(norms)) or np.any(norms == 0):
            raise ModelError("the recognizer produced an invalid embedding")
        return np.ascontiguousarray(raw / norms, dtype=np.float32)
