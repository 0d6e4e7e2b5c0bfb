"""The enrollment quality gate: which limits a face fails, as stable reason codes.

The figures come from ``engine/quality.py``; the limits are settings (``FACEREC_QUALITY_*``), chosen
so that ordinary portraits pass (225 of the 233 labelled photos of ../shared/facedata; the 8 refused
have a second person as large as the subject, a tiny face or a profile) and blurred, dark,
over-exposed, turned or tiny faces do not (docs/accuracy.md has the figures). Imports the domain and
settings only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from facerec.config import Settings
from facerec.domain import DetectedFace, FaceQuality, QualityCheck, QualityReason


@dataclass(frozen=True)
class QualityLimits:
    min_face_px: float
    min_det_score: float
    min_sharpness: float
    min_brightness: float
    max_brightness: float
    max_yaw_deg: float
    max_pitch_deg: float
    max_other_face_ratio: float

    @classmethod
    def of(cls, settings: Settings) -> QualityLimits:
        return cls(
            min_face_px=settings.quality_min_face_px,
            min_det_score=settings.quality_min_det_score,
            min_sharpness=settings.quality_min_sharpness,
            min_brightness=settings.quality_min_brightness,
            max_brightness=settings.quality_max_brightness,
            max_yaw_deg=settings.quality_max_yaw_deg,
            max_pitch_deg=settings.quality_max_pitch_deg,
            max_other_face_ratio=settings.quality_max_other_face_ratio,
        )


def assess(
    quality: FaceQuality, limits: QualityLimits, *, other_faces: Sequence[DetectedFace] = ()
) -> QualityCheck:
    """Check one face against the limits; ``other_faces`` are the rest of the photo's faces."""
    reasons: list[QualityReason] = []
    if quality.face_px < limits.min_face_px:
        reasons.append(QualityReason.SMALL_FACE)
    if quality.det_score < limits.min_det_score:
        reasons.append(QualityReason.LOW_CONFIDENCE)
    if quality.sharpness < limits.min_sharpness:
        reasons.append(QualityReason.LOW_SHARPNESS)
    if quality.brightness < limits.min_brightness:
        reasons.append(QualityReason.TOO_DARK)
    if quality.brightness > limits.max_brightness:
        reasons.append(QualityReason.TOO_BRIGHT)
    if abs(quality.yaw_deg) > limits.max_yaw_deg or abs(quality.pitch_deg) > limits.max_pitch_deg:
        reasons.append(QualityReason.EXTREME_POSE)
    # Another usable face nearly as large makes it unclear whose face this photo enrols; small faces
    # in the background do not.
    rival_px = quality.face_px * limits.max_other_face_ratio
    if any(
        min(f.bbox.width, f.bbox.height) >= max(rival_px, limits.min_face_px) for f in other_faces
    ):
        reasons.append(QualityReason.MULTIPLE_FACES)
    return QualityCheck(quality=quality, reasons=tuple(reasons))
