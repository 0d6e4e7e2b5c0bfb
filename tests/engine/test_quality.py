"""Face quality figures: head pose from five landmarks (against known poses), and sharpness,
brightness, size and pose of real photos, spoiled on purpose, against the default limits."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from facerec.config import Settings
from facerec.domain import QualityCheck, QualityReason
from facerec.engine.align import align_face
from facerec.engine.image import decode_image
from facerec.engine.pipeline import FaceEngine
from facerec.engine.quality import FACE_MODEL_MM, head_pose_deg, measure
from facerec.service.quality import QualityLimits, assess
from tests.conftest import Facedata

Landmarks = tuple[tuple[float, float], ...]
LIMITS = QualityLimits.of(Settings(_env_file=None))  # the shipped defaults
CAMERA = np.array([[800.0, 0.0, 320.0], [0.0, 800.0, 240.0], [0.0, 0.0, 1.0]])


# Head pose against a known rotation ----------------------------------------------------------------


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:  # type: ignore[type-arg]
    """Camera axes (x right, y down, z away): roll about z, then yaw about y, then pitch about x.
    A positive yaw turns the nose (which points at the camera, -z) towards the image's right."""
    y, p, r = (math.radians(a) for a in (yaw, pitch, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def project(yaw: float, pitch: float, roll: float, distance_mm: float = 600.0) -> Landmarks:
    """The five landmarks of FACE_MODEL_MM posed so and photographed from ``distance_mm``."""
    vector, _ = cv2.Rodrigues(rotation(yaw, pitch, roll))
    translation = np.array([0.0, 0.0, distance_mm])
    points, _ = cv2.projectPoints(FACE_MODEL_MM, vector, translation, CAMERA, None)
    return tuple((float(x), float(y)) for x, y in points.reshape(5, 2))


def test_projected_poses_look_as_the_convention_says() -> None:
    """The generator itself: checked on the image, independently of head_pose_deg."""

    def nose_below_eyes(points: Landmarks) -> float:
        return points[2][1] - (points[0][1] + points[1][1]) / 2

    frontal = project(0, 0, 0)
    assert frontal[0][1] == pytest.approx(frontal[1][1])  # upright: eyes level
    turned_right = project(30, 0, 0)
    assert turned_right[2][0] > (turned_right[0][0] + turned_right[1][0]) / 2  # nose right of eyes
    assert nose_below_eyes(project(0, 30, 0)) > nose_below_eyes(frontal)  # looking down
    assert nose_below_eyes(project(0, -30, 0)) < nose_below_eyes(frontal)  # looking up
    clockwise = project(0, 0, 20)
    assert clockwise[1][1] > clockwise[0][1]  # the image-right eye is lower


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"),
    list(itertools.product([-40, -25, 0, 15, 40], [-40, -20, 0, 20, 40], [-40, 0, 30])),
)
def test_head_pose_recovers_known_angles(yaw: float, pitch: float, roll: float) -> None:
    got = head_pose_deg(project(yaw, pitch, roll))
    assert got == pytest.approx((yaw, pitch, roll), abs=3.0)


@pytest.mark.parametrize("distance_mm", [350.0, 2000.0])
def test_head_pose_is_good_close_up_and_far_away(distance_mm: float) -> None:
    assert head_pose_deg(project(30, -20, 10, distance_mm)) == pytest.approx((30, -20, 10), abs=3.0)


def test_head_pose_ignores_the_face_size_and_place() -> None:
    landmarks = project(25, -15, 10)
    expected = head_pose_deg(landmarks)
    for scale, dx, dy in [(0.1, 0.0, 0.0), (10.0, 0.0, 0.0), (1.0, 5000.0, -300.0), (3.7, -42, 9)]:
        moved = tuple((x * scale + dx, y * scale + dy) for x, y in landmarks)
        assert head_pose_deg(moved) == pytest.approx(expected, abs=1e-3)


def test_head_pose_of_tiny_and_degenerate_faces_does_not_raise() -> None:
    landmarks = np.array(project(20, 10, -5))
    centre = landmarks.mean(axis=0)
    for spread_px in (8.0, 3.0, 1.0):  # eyes a few pixels apart, on whole pixels
        scale = spread_px / float(np.ptp(landmarks[:, 0]))
        tiny = np.round((landmarks - centre) * scale + (40.0, 40.0))
        pose = head_pose_deg(tuple(map(tuple, tiny.tolist())))
        assert len(pose) == 3 and all(math.isfinite(a) for a in pose), (spread_px, pose)
    assert head_pose_deg(((7.0, 7.0),) * 5) == (0.0, 0.0, 0.0)  # one point: nothing to solve
    in_a_line = tuple((float(x), 10.0) for x in range(5))
    assert all(math.isfinite(a) for a in head_pose_deg(in_a_line))


# Quality of real photos ----------------------------------------------------------------------------


def check(engine: FaceEngine, image: np.ndarray) -> QualityCheck:  # type: ignore[type-arg]
    """The largest face's quality, judged with the default limits against the photo's others."""
    faces = engine.analyze(image)
    assert faces, "no face found"
    return assess(faces[0].quality, LIMITS, other_faces=[f.face for f in faces[1:]])


def read(path: Path) -> np.ndarray:  # type: ignore[type-arg]
    return decode_image(path.read_bytes(), max_bytes=50_000_000, max_pixels=50_000_000).pixels


@pytest.fixture(scope="module")
def yao(samples: Path) -> np.ndarray:  # type: ignore[type-arg]
    return read(samples / "yaoming.jpg")


def test_a_good_portrait_passes_and_measure_is_what_the_engine_reports(
    engine: FaceEngine,
    yao: np.ndarray,  # type: ignore[type-arg]
) -> None:
    result = check(engine, yao)
    assert result.passed and result.reasons == ()
    q = result.quality
    assert q.face_px >= 90 and q.det_score >= 0.7 and 100 <= q.brightness <= 200
    assert q.sharpness >= 4 * LIMITS.min_sharpness
    assert max(abs(q.yaw_deg), abs(q.pitch_deg), abs(q.roll_deg)) < 15  # a frontal portrait
    face = engine.detect(yao)[0]
    crop = align_face(yao, np.asarray(face.landmarks, dtype=np.float32), 112)
    assert measure(crop, face) == q


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda img: cv2.GaussianBlur(img, (0, 0), 3), QualityReason.LOW_SHARPNESS),
        (lambda img: cv2.convertScaleAbs(img, alpha=0.2), QualityReason.TOO_DARK),
        (lambda img: cv2.convertScaleAbs(img, alpha=2.5), QualityReason.TOO_BRIGHT),
        (
            lambda img: cv2.resize(img, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA),
            QualityReason.SMALL_FACE,
        ),
    ],
    ids=["blurred", "dark", "over-exposed", "small"],
)
def test_a_spoiled_copy_fails_for_its_reason(
    engine: FaceEngine,
    yao: np.ndarray,  # type: ignore[type-arg]
    spoil,  # type: ignore[no-untyped-def]
    reason: QualityReason,
) -> None:
    result = check(engine, spoil(yao))
    assert reason in result.reasons, result
    # Only what was spoiled: pose, detection and the one-face rule still pass.
    assert not {
        QualityReason.EXTREME_POSE,
        QualityReason.LOW_CONFIDENCE,
        QualityReason.MULTIPLE_FACES,
    } & set(result.reasons)
    if reason is QualityReason.SMALL_FACE:
        assert result.quality.face_px < LIMITS.min_face_px
    if reason is QualityReason.TOO_BRIGHT:
        assert QualityReason.TOO_DARK not in result.reasons


@pytest.mark.parametrize(("name", "sign"), [("left_face.jpeg", -1), ("right_face.png", 1)])
def test_a_turned_head_is_an_extreme_pose(
    engine: FaceEngine, facedata: Facedata, name: str, sign: int
) -> None:
    [row] = [r for r in facedata.rows if "hard:pose" in r["tags"] and r["file"].endswith(name)]
    result = check(engine, read(facedata.path(row["file"])))
    assert QualityReason.EXTREME_POSE in result.reasons
    assert result.quality.yaw_deg * sign > LIMITS.max_yaw_deg  # and turned the way it looks


def test_multiple_faces_in_a_group_photo_not_in_a_portrait(
    engine: FaceEngine,
    samples: Path,
    yao: np.ndarray,  # type: ignore[type-arg]
) -> None:
    group = engine.analyze(read(samples / "gdp.jpg"))
    assert len(group) == 5
    result = assess(group[0].quality, LIMITS, other_faces=[f.face for f in group[1:]])
    assert QualityReason.MULTIPLE_FACES in result.reasons
    portrait = engine.analyze(yao)
    assert QualityReason.MULTIPLE_FACES not in assess(portrait[0].quality, LIMITS).reasons
    # Faces much smaller than the enrolled one (a crowd behind) are no rival.
    smallest = group[-1]
    alone = assess(group[0].quality, LIMITS, other_faces=[smallest.face])
    assert smallest.quality.face_px < group[0].quality.face_px * LIMITS.max_other_face_ratio
    assert QualityReason.MULTIPLE_FACES not in alone.reasons


def test_the_limits_do_not_reject_ordinary_portraits(
    engine: FaceEngine, facedata: Facedata
) -> None:
    portraits = [r for r in facedata.labelled_single_faces() if "lfw" in r["tags"].split(";")]
    assert len(portraits) >= 100
    image_reasons = {
        QualityReason.SMALL_FACE,
        QualityReason.LOW_SHARPNESS,
        QualityReason.TOO_DARK,
        QualityReason.TOO_BRIGHT,
    }
    rejected = {}
    for row in portraits:
        failed = image_reasons & set(check(engine, read(facedata.path(row["file"]))).reasons)
        if failed:
            rejected[row["file"]] = sorted(r.value for r in failed)
    assert rejected == {}
