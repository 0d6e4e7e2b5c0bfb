"""5-point similarity alignment to the ArcFace 112x112 template.

The transform is the least-squares similarity (Umeyama, 1991), the same estimate that InsightFace's
``norm_crop`` gets from scikit-image; written here in numpy so that the server needs no scikit-image.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

ARCFACE_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)


def similarity_transform(
    src: npt.NDArray[np.float64], dst: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The 2x3 similarity matrix that maps ``src`` points onto ``dst`` in the least-squares sense."""
    num = src.shape[0]
    src_mean = src.mean(axis=0)
    dst_mean = dst.mean(axis=0)
    src_c = src - src_mean
    dst_c = dst - dst_mean
    cov = dst_c.T @ src_c / num
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[1] = -1.0
    u, s, vt = np.linalg.svd(cov)
    rank = np.linalg.matrix_rank(cov)
    matrix = np.eye(3)
    if rank == 0:
        return matrix[:2] * np.nan
    if rank == 1:
        if np.linalg.det(u) * np.linalg.det(vt) > 0:
            matrix[:2, :2] = u @ vt
        else:
            sign = d[1]
            d[1] = -1.0
            matrix[:2, :2] = u @ np.diag(d) @ vt
            d[1] = sign
    else:
        matrix[:2, :2] = u @ np.diag(d) @ vt
    scale = 1.0 / src_c.var(axis=0).sum() * (s @ d)
    matrix[:2, 2] = dst_mean - scale * (matrix[:2, :2] @ src_mean)
    matrix[:2, :2] *= scale
    return matrix[:2]


def align_face(
    image_bgr: npt.NDArray[np.uint8], landmarks: npt.NDArray[np.float32], size_px: int = 112
) -> npt.NDArray[np.uint8]:
    """Warp the face with these 5 landmarks to a ``size_px`` square crop in the ArcFace layout."""
    template = ARCFACE_TEMPLATE_112 * (size_px / 112.0)
    matrix = similarity_transform(landmarks.astype(np.float64), template)
    crop = cv2.warpAffine(image_bgr, matrix, (size_px, size_px), borderValue=0.0)
    return np.asarray(crop, dtype=np.uint8)


def crop_scale(landmarks: npt.NDArray[np.float32], size_px: int = 112) -> float:
    """Crop pixels per image pixel of the alignment of these landmarks: above 1 the face is enlarged
    (the image holds fewer pixels of it than the crop)."""
    template = ARCFACE_TEMPLATE_112 * (size_px / 112.0)
    matrix = similarity_transform(landmarks.astype(np.float64), template)
    return float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
