"""How usable a detected face is for recognition: size, detector score, sharpness, brightness, pose.

Measured on the aligned 112x112 crop that the embedder sees (sharpness, brightness) and on the five
landmarks (pose), so that the figures mean the same thing whatever the photo's resolution. Whether a
face is good enough is a service decision (``service/quality.py``); this module only measures.
Imports numpy and OpenCV only.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from facerec.domain import DetectedFace, FaceQuality

# A generic adult face (millimetres) for the five landmarks, in the camera's axes (x right, y down,
# z away from the camera), nose tip at the origin. The x/y layout is the median of the detector's
# landmarks on the 233 labelled portraits of ../shared/facedata, scaled to a 63 mm eye distance, so
# that 0 degrees means "like a typical portrait"; depths are anthropometric averages. Good to a few
# degrees, which is what a pose gate needs.
FACE_MODEL_MM = np.array(
    [
        [-31.5, -38.0, 25.0],  # left eye (image left)
        [31.5, -38.0, 25.0],  # right eye
        [0.0, 0.0, 0.0],  # nose tip
        [-27.0, 28.5, 15.0],  # left mouth corner
        [27.0, 28.5, 15.0],  # right mouth corner
    ],
    dtype=np.float64,
)


def measure(crop_bgr: npt.NDArray[np.uint8], face: DetectedFace) -> FaceQuality:
    """Quality figures of ``face``; ``crop_bgr`` is its aligned crop."""
    gray = cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2GRAY)
    # The central part of the crop: skin, eyes, nose and mouth, without background or hair.
    size = gray.shape[0]
    inner = gray[size // 5 : size - size // 10, size // 5 : size - size // 5]
    yaw, pitch, roll = head_pose_deg(face.landmarks)
    return FaceQuality(
        face_px=min(face.bbox.width, face.bbox.height),
        det_score=face.score,
        sharpness=float(cv2.Laplacian(inner, cv2.CV_64F).var()),
        brightness=float(inner.mean()),
        yaw_deg=yaw,
        pitch_deg=pitch,
        roll_deg=roll,
    )


def head_pose_deg(landmarks: tuple[tuple[float, float], ...]) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from the five landmarks; 0, 0, 0 is a frontal, upright face.

    Yaw is positive when the face turns towards the image's right, pitch when it looks down, roll
    when it leans clockwise. Solved as a perspective-n-point problem (SQPnP) against a generic face,
    seen along its own line of sight: the landmarks are centred and scaled to a fixed size first,
    so that the answer does not depend on the face's size or place in the photo.
    """
    points = np.asarray(landmarks, dtype=np.float64).reshape(5, 2)
    centred = points - points.mean(axis=0)
    spread = float(np.sqrt((centred**2).sum(axis=1).mean()))
    if not np.isfinite(spread) or spread <= 0.0:
        return 0.0, 0.0, 0.0
    normalised = centred * (_SPREAD_PX / spread)
    try:
        ok, rotation_vector, _ = cv2.solvePnP(
            FACE_MODEL_MM, normalised, _CAMERA, None, flags=cv2.SOLVEPNP_SQPNP
        )
    except cv2.error:
        ok = False
    if not ok:
        return _pose_from_eye_line(points)
    rotation, _ = cv2.Rodrigues(rotation_vector)
    return _euler_deg(np.asarray(rotation, dtype=np.float64))


# The landmarks are scaled to this spread and seen by a camera ten times as far: mild perspective.
_SPREAD_PX = 100.0
_CAMERA = np.array([[1000.0, 0.0, 0.0], [0.0, 1000.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float64)


def _euler_deg(rotation: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    # rotation = Rz(roll) @ Ry(yaw) @ Rx(pitch), in the camera's axes.
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -rotation[2, 0]))))
    pitch = math.degrees(math.atan2(rotation[2, 1], rotation[2, 2]))
    roll = math.degrees(math.atan2(rotation[1, 0], rotation[0, 0]))
    return -yaw, pitch, roll


def _pose_from_eye_line(points: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    (lx, ly), (rx, ry) = points[0], points[1]
    return 0.0, 0.0, math.degrees(math.atan2(ry - ly, rx - lx))
