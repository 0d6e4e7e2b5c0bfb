"""Engine benchmark: facerec's FaceEngine against InsightFace's FaceAnalysis, side by side.

    .venv/bin/python bench/engine.py [--facedata ../shared/facedata] [--out bench/results/engine.md]

One run, one process, the same model files (the bundled pack), the same photos (bytes in memory;
facerec decodes them with its own decoder, FaceAnalysis with OpenCV's as InsightFace's examples do;
the same-faces check gives both facerec's pixels) and the same ONNX Runtime options (one
``SessionOptions`` object from facerec's session factory, handed to FaceAnalysis too). Sections,
each printed as Markdown tables and written to ``--out``:

- ``engine``: images per second and ms per stage (decode, detect, align, embed, quality) on
  single-face photos and on a group photo (players.jpg, 22 faces), each photo's median over
  ``--repeats`` runs after a warm-up pass, the contenders taking turns photo by photo, and the
  ratio to FaceAnalysis; with a check that both embed the same faces (counts per photo, cosine of
  the embeddings of each face).
- ``sizing``: the detector's ``letterbox`` input (InsightFace's 640x640) against ``fitted`` on every
  photo of facedata: faces found against the manifest, embeddings compared, retries run, time.
- ``batch``: how many faces of the group photo the recognizer takes per run.
- ``ort``: ONNX Runtime options (intra-op threads, execution mode, inter-op threads, graph
  optimisation level, spinning), one request at a time.
- ``concurrency``: 1, 2 and 4 requests at once on a thread pool (as the server's workers run them),
  for thread counts and spinning that may oversubscribe the cores.

A benchmark, not a test: it asserts nothing. FaceAnalysis runs at det_size 640x640, as a service
built on it usually prepares it (insightface 2.1's own default runs the detector twice, at 128 and
640).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path; put it last, so that no module here can
# shadow the standard library (photos.py is still found).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from typing import Any  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

from facerec.config import Settings  # noqa: E402
from facerec.engine import quality  # noqa: E402
from facerec.engine.models import PackFiles, bundled_dir, get_pack, verify_pack  # noqa: E402
from facerec.engine.pipeline import DetectionOptions, FaceEngine  # noqa: E402
from facerec.engine.session import SessionOptions, session_options  # noqa: E402
from harness import provenance, write_results  # noqa: E402
from photos import FACEDATA, SPECIAL_IDENTITIES, Photo, facedata_photos, sample_photo  # noqa: E402
from photos import single_face_photos as pick_single_faces  # noqa: E402
from timing import Contender, Timing, time_contenders  # noqa: E402

STAGES = ("decode", "detect", "align", "embed", "quality")
SECTIONS = ("engine", "sizing", "batch", "ort", "concurrency")


def facerec_contender(label: str, engine: FaceEngine, *, reduced: bool = False) -> Contender:
    """facerec on ``engine``; ``reduced``: large JPEGs decoded at a reduced size, as the service
    does by default (``FACEREC_DECODE_REDUCED``); "align" then includes any full-size decoding a
    face needs."""
    reduce_to_px = engine.detection.size_px if reduced else None

    def run(photo: Photo) -> int:
        return len(engine.analyze(photo.decoded(reduce_to_px)))

    def stages(photo: Photo) -> tuple[dict[str, float], int]:
        t0 = time.perf_counter()
        image = photo.decoded(reduce_to_px)
        t1 = time.perf_counter()
        faces = engine.detect(image)
        t2 = time.perf_counter()
        crops = engine.align_faces(image, faces)
        t3 = time.perf_counter()
        engine.embedder.embed(crops)
        t4 = time.perf_counter()
        for crop, face in zip(crops, faces, strict=True):
            quality.measure(crop, face)
        t5 = time.perf_counter()
        times = {"decode": t1 - t0, "detect": t2 - t1, "align": t3 - t2, "embed": t4 - t3}
        return times | {"quality": t5 - t4}, len(faces)

    return Contender(label, run, stages)


def analysis_contender(analysis: Any) -> Contender:
    from insightface.utils import face_align

    detector, recognizer = analysis.det_model, analysis.models["recognition"]

    def decode(photo: Photo) -> np.ndarray:  # type: ignore[type-arg]
        # As InsightFace's examples read photos (cv2.imread): OpenCV, EXIF orientation applied.
        return cv2.imdecode(np.frombuffer(photo.data, np.uint8), cv2.IMREAD_COLOR)

    def run(photo: Photo) -> int:
        return len(analysis.get(decode(photo)))

    def stages(photo: Photo) -> tuple[dict[str, float], int]:
        t0 = time.perf_counter()
        pixels = decode(photo)
        t1 = time.perf_counter()
        _, landmarks = detector.detect(pixels, max_num=0, metric="default")
        t2 = time.perf_counter()
        crops = [face_align.norm_crop(pixels, landmark=k, image_size=112) for k in landmarks]
        t3 = time.perf_counter()
        for crop in crops:  # FaceAnalysis.get embeds one face per run
            recognizer.get_feat(crop)
        t4 = time.perf_counter()
        times = {"decode": t1 - t0, "detect": t2 - t1, "align": t3 - t2, "embed": t4 - t3}
        return times, len(crops)

    return Contender("insightface FaceAnalysis", run, stages)


def face_analysis(files: PackFiles, options: SessionOptions) -> Any:
    """InsightFace's FaceAnalysis on the pack's two files (a folder of symlinks to them)."""
    from insightface.app import FaceAnalysis

    folder = Path(tempfile.mkdtemp(prefix="facerec-bench-pack-"))
    for path in (files.detector_path, files.recognizer_path):
        os.symlink(path, folder / path.name)
    analysis = FaceAnalysis(
        name=str(folder),
        allowed_modules=["detection", "recognition"],
        providers=list(options.providers),
        sess_options=session_options(options),
    )
    analysis.prepare(ctx_id=-1, det_size=(640, 640))
    return analysis


def timing_table(timings: list[Timing], reference: str) -> list[str]:
    base = next(t for t in timings if t.label == reference)
    rows = [
        "| engine | images/s | ms/image | CPU ms/image | "
        + " | ".join(f"{s} ms" for s in STAGES)
        + " | faces | x FaceAnalysis | spread |",
        "|---|---:|---:|---:|" + "---:|" * len(STAGES) + "---:|---:|---:|",
    ]
    for t in timings:
        stages = " | ".join(f"{t.stages_ms[s]:.1f}" if s in t.stages_ms else "-" for s in STAGES)
        rows.append(
            f"| {t.label} | {t.images_per_s:.1f} | {t.per_image_ms:.1f} | "
            f"{t.cpu_per_image_ms:.1f} | {stages} | {t.faces} "
            f"| **{t.images_per_s / base.images_per_s:.2f}x** | {t.spread_pct:.0f}% |"
        )
    return rows


# -------------------------------------------------------------------------------- same faces


def matched_cosines(
    engine: FaceEngine, analysis: Any, photo: Photo, *, reduced: bool
) -> tuple[int, int, list[float]]:
    """Faces found by each, and for every FaceAnalysis face the cosine to facerec's nearest face."""
    ours = engine.analyze(photo.decoded(engine.detection.size_px if reduced else None))
    theirs = analysis.get(photo.pixels())
    cosines = []
    for face in theirs:
        if not ours:
            break
        mine = min(
            ours,
            key=lambda f: abs(f.face.bbox.x1 - face.bbox[0]) + abs(f.face.bbox.y1 - face.bbox[1]),
        )
        cosines.append(float(mine.embedding @ face.normed_embedding))
    return len(ours), len(theirs), cosines


def same_faces_table(
    engines: dict[str, FaceEngine],
    reduced: dict[str, bool],
    analysis: Any,
    sets: dict[str, list[Photo]],
) -> list[str]:
    rows = [
        "| photos | facerec configuration | photos with the same face count | faces facerec / "
        "FaceAnalysis | cosine of the same face: min / median | photos that differ |",
        "|---|---|---:|---:|---:|---|",
    ]
    for set_name, photos in sets.items():
        for label, engine in engines.items():
            same, ours_total, theirs_total, cosines, differ = 0, 0, 0, [], []
            for photo in photos:
                ours, theirs, cos = matched_cosines(engine, analysis, photo, reduced=reduced[label])
                same += ours == theirs
                ours_total, theirs_total = ours_total + ours, theirs_total + theirs
                cosines += cos
                if ours != theirs:
                    differ.append(f"{Path(photo.name).name} ({ours} vs {theirs})")
            rows.append(
                f"| {set_name} | {label} | {same} of {len(photos)} | {ours_total} / {theirs_total} "
                f"| {min(cosines):.4f} / {statistics.median(cosines):.4f} | "
                f"{', '.join(differ) or 'none'} |"
            )
    return rows


# ------------------------------------------------------------------------------------- sizing


@dataclass(frozen=True, eq=False)
class Found:
    faces: list[Any]  # EmbeddedFace, largest first
    seconds: float
    retry: str  # "", "padded" or "orientation": the extra detector runs this photo cost


def analyse_with_retries(engine: FaceEngine, pixels: np.ndarray) -> Found:  # type: ignore[type-arg]
    opts = engine.detection
    start = time.perf_counter()
    faces = engine.analyze(pixels)
    seconds = time.perf_counter() - start
    first = engine.detector.detect(
        pixels, size_px=opts.size_px, score_min=opts.score_min, sizing=opts.sizing
    )
    retry = ""
    if not len(first):
        retry = "padded"
    else:
        areas = (first.boxes[:, 2] - first.boxes[:, 0]) * (first.boxes[:, 3] - first.boxes[:, 1])
        if first.scores[int(np.argmax(areas))] < opts.orientation_check_below:
            retry = "orientation"
    return Found(faces, seconds, retry)


def sizing_table(engines: dict[str, FaceEngine], photos: list[Photo]) -> list[str]:
    """Every sizing on every photo: what it finds, what it embeds, what it costs."""
    results: dict[str, list[Found]] = {label: [] for label in engines}
    long_sides = []
    for photo in photos:
        pixels = photo.pixels()
        long_sides.append(max(pixels.shape[:2]))
        for label, engine in engines.items():
            results[label].append(analyse_with_retries(engine, pixels))
    base_label = next(iter(engines))
    base = results[base_label]
    labelled = [i for i, p in enumerate(photos) if p.identity not in SPECIAL_IDENTITIES]
    groups = [i for i, p in enumerate(photos) if p.identity == "GROUP" and p.faces_expected]
    no_face = [i for i, p in enumerate(photos) if p.identity == "NONE"]
    small = [i for i, side in enumerate(long_sides) if side <= 640]
    large = [i for i, side in enumerate(long_sides) if side > 640]
    expected = sum(photos[i].faces_expected or 0 for i in groups)

    def ms(found: list[Found], idx: list[int]) -> str:
        return f"{statistics.median(found[i].seconds for i in idx) * 1000:.1f}"

    header = "| measure | " + " | ".join(engines) + " |"
    rows = [header, "|---|" + "---:|" * len(engines)]
    lines: dict[str, list[str]] = {}
    for found in results.values():
        cos_largest, cos_all = [], []
        for mine, theirs in zip(found, base, strict=True):
            if mine.faces and theirs.faces:
                cos_largest.append(float(mine.faces[0].embedding @ theirs.faces[0].embedding))
            for face in theirs.faces:
                if mine.faces:
                    near = min(
                        mine.faces,
                        key=lambda f, b=face.face.bbox: (
                            abs(f.face.bbox.x1 - b.x1) + abs(f.face.bbox.y1 - b.y1)
                        ),
                    )
                    cos_all.append(float(near.embedding @ face.embedding))
        retries = Counter(f.retry for f in found)
        values = {
            "labelled single-face photos with a face found": (
                f"{sum(bool(found[i].faces) for i in labelled)} of {len(labelled)}"
            ),
            "group photos: faces found / expected (photos exactly)": (
                f"{sum(len(found[i].faces) for i in groups)} / {expected} "
                f"({sum(len(found[i].faces) == photos[i].faces_expected for i in groups)} of "
                f"{len(groups)})"
            ),
            "no-face photos with a face found": (
                f"{sum(bool(found[i].faces) for i in no_face)} of {len(no_face)}"
            ),
            "faces found, all photos": str(sum(len(f.faces) for f in found)),
            f"photos with as many faces as {base_label}": (
                f"{sum(len(a.faces) == len(b.faces) for a, b in zip(found, base, strict=True))} "
                f"of {len(photos)}"
            ),
            f"largest face's embedding · {base_label}'s: min / 1st pct / median": (
                f"{min(cos_largest):.4f} / {np.percentile(cos_largest, 1):.4f} / "
                f"{statistics.median(cos_largest):.4f}"
            ),
            f"every face's embedding · {base_label}'s nearest: share ≥ 0.99": (
                f"{np.mean(np.asarray(cos_all) >= 0.99) * 100:.1f}%"
            ),
            "padded retries / orientation checks run": (
                f"{retries['padded']} / {retries['orientation']}"
            ),
            f"ms per photo (detect + embed), {len(small)} photos ≤ 640 px": ms(found, small),
            f"ms per photo (detect + embed), {len(large)} photos > 640 px": ms(found, large),
        }
        for key, value in values.items():
            lines.setdefault(key, []).append(value)
    rows += [f"| {key} | " + " | ".join(values) + " |" for key, values in lines.items()]
    return rows


# ---------------------------------------------------------------------------------- ORT options

ORT_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("intra 0 (all cores)", {"intra_op_threads": 0}),
    ("intra 1", {"intra_op_threads": 1}),
    ("intra 2", {"intra_op_threads": 2}),
    ("spinning on", {"spin": True}),
    ("spinning off", {"spin": False}),
    ("parallel, inter 1", {"execution_mode": "parallel", "inter_op_threads": 1}),
    ("parallel, inter 2", {"execution_mode": "parallel", "inter_op_threads": 2}),
    ("graph extended", {"graph_optimization": "extended"}),
    ("graph basic", {"graph_optimization": "basic"}),
    ("graph disabled", {"graph_optimization": "disabled"}),
    ("PRelu as published (no rewrite)", {"rewrite_prelu": False}),
)


def describe(options: SessionOptions) -> str:
    return (
        f"intra {options.intra_op_threads}, inter {options.inter_op_threads}, "
        f"{options.execution_mode}, graph {options.graph_optimization}, spinning "
        f"{'on' if options.spin else 'off'}"
    )


def ort_tables(
    files: PackFiles,
    options: SessionOptions,
    detection: DetectionOptions,
    sets: dict[str, list[Photo]],
    repeats: int,
) -> list[str]:
    variants = [(f"as configured ({describe(options)})", {}), *ORT_VARIANTS]
    contenders = [
        facerec_contender(label, FaceEngine(files, replace(options, **change), detection))
        for label, change in variants
    ]
    rows: list[str] = []
    for set_name, photos in sets.items():
        timings = time_contenders(contenders, photos, repeats)
        base = timings[0]
        rows += [
            "",
            f"{set_name}:",
            "",
            "| ONNX Runtime options | images/s | ms/image | CPU ms/image | detect ms | embed ms "
            "| x first row | spread |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows += [
            f"| {t.label} | {t.images_per_s:.1f} | {t.per_image_ms:.1f} | "
            f"{t.cpu_per_image_ms:.1f} | {t.stages_ms['detect']:.1f} | {t.stages_ms['embed']:.1f} | "
            f"{t.images_per_s / base.images_per_s:.2f}x | {t.spread_pct:.0f}% |"
            for t in timings
        ]
    return rows


# --------------------------------------------------------------------------------- concurrency

CONCURRENCY_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("intra 0 (all cores), spinning on", {"intra_op_threads": 0, "spin": True}),
    ("intra 0 (all cores), spinning off", {"intra_op_threads": 0, "spin": False}),
    ("intra 1, spinning on", {"intra_op_threads": 1, "spin": True}),
    ("intra 1, spinning off", {"intra_op_threads": 1, "spin": False}),
)


def concurrent_pass(
    engine: FaceEngine, photos: list[Photo], clients: int
) -> tuple[float, list[float]]:
    """``clients`` threads, each sending its share of the photos one after another (a closed
    loop, as requests on the server's worker pool): wall seconds and each request's seconds."""

    def client(share: list[Photo]) -> list[float]:
        latencies = []
        for photo in share:
            start = time.perf_counter()
            engine.analyze(photo.pixels())
            latencies.append(time.perf_counter() - start)
        return latencies

    shares = [photos[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [s for share in pool.map(client, shares) for s in share]
    return time.perf_counter() - start, latencies


def concurrency_table(
    files: PackFiles,
    options: SessionOptions,
    detection: DetectionOptions,
    photos: list[Photo],
    levels: Sequence[int],
    repeats: int,
) -> list[str]:
    engines = {
        label: FaceEngine(files, replace(options, **change), detection)
        for label, change in CONCURRENCY_VARIANTS
    }
    for engine in engines.values():
        concurrent_pass(engine, photos[:5], 1)
    walls: dict[tuple[str, int], list[float]] = {}
    lats: dict[tuple[str, int], list[float]] = {}
    for r in range(repeats):
        for clients in levels:
            order = list(engines.items())
            for label, engine in order[r % len(order) :] + order[: r % len(order)]:
                wall, latencies = concurrent_pass(engine, photos, clients)
                walls.setdefault((label, clients), []).append(wall)
                lats.setdefault((label, clients), []).extend(latencies)
    rows = [
        "| ONNX Runtime threads | requests at once | images/s | p50 ms | p95 ms "
        "| x first row at this level |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    first = next(iter(engines))
    for clients in levels:
        base = len(photos) / statistics.median(walls[(first, clients)])
        for label in engines:
            rate = len(photos) / statistics.median(walls[(label, clients)])
            p50, p95 = np.percentile(np.asarray(lats[(label, clients)]) * 1000, [50, 95])
            rows.append(
                f"| {label} | {clients} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {rate / base:.2f}x |"
            )
    return rows


# ---------------------------------------------------------------------------------------- main


@dataclass(frozen=True)
class Config:
    """A configuration of facerec for the engine section: changes to the options in force."""

    label: str
    detection: dict[str, Any]
    session: dict[str, Any]
    embed_batch_max: int | None = None  # None: the engine's default
    reduced: bool = False  # large JPEGs decoded at a reduced size


# "defaults" is the engine exactly as configured; "plain" is the engine with its speed-ups turned off
# (letterbox input, the recognizer as published, all faces of an image in one batch), at the thread
# settings of the run: the baseline for what they gain.
CONFIGS = {
    "defaults": Config("facerec, as configured", {}, {}),
    "plain": Config(
        "facerec without its speed-ups: letterbox, PRelu as published, one batch",
        {"sizing": "letterbox"},
        {"rewrite_prelu": False},
        embed_batch_max=1000,
    ),
    "letterbox": Config("facerec, letterbox", {"sizing": "letterbox"}, {}),
    "fitted": Config("facerec, fitted", {"sizing": "fitted"}, {}),
    "reduced": Config(
        "facerec, fitted, large JPEGs decoded reduced (the defaults)",
        {"sizing": "fitted"},
        {},
        reduced=True,
    ),
}


def build(files: PackFiles, options: SessionOptions, config: Config) -> FaceEngine:
    detection = replace(DetectionOptions(), **config.detection)
    session = replace(options, **config.session)
    if config.embed_batch_max is None:
        return FaceEngine(files, session, detection)
    return FaceEngine(files, session, detection, embed_batch_max=config.embed_batch_max)


def batch_table(
    files: PackFiles, options: SessionOptions, photos: list[Photo], repeats: int
) -> list[str]:
    sizes = (1, 2, 4, 8, 22)
    contenders = [
        facerec_contender(
            f"{n} per run", FaceEngine(files, options, DetectionOptions(), embed_batch_max=n)
        )
        for n in sizes
    ]
    timings = time_contenders(contenders, photos, repeats)
    base = timings[0]
    rows = [
        "| faces per recognizer run | ms/image | CPU ms/image | embed ms | embed ms per face "
        "| x first row |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    faces = timings[0].faces / len(photos)
    rows += [
        f"| {t.label} | {t.per_image_ms:.1f} | {t.cpu_per_image_ms:.1f} | "
        f"{t.stages_ms['embed']:.1f} | {t.stages_ms['embed'] / faces:.2f} | "
        f"{t.images_per_s / base.images_per_s:.2f}x |"
        for t in timings
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facedata", type=Path, default=FACEDATA)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/engine.md")
    parser.add_argument("--single", type=int, default=50, help="single-face photos to time")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each photo")
    parser.add_argument("--intra-op-threads", type=int, default=_setting("intra_op_threads"))
    parser.add_argument("--inter-op-threads", type=int, default=_setting("inter_op_threads"))
    parser.add_argument(
        "--intra-op-spinning",
        action=argparse.BooleanOptionalAction,
        default=_setting("intra_op_spinning"),
    )
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument(
        "--configs", default="plain,letterbox,fitted,reduced", help=f"of {', '.join(CONFIGS)}"
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))

    files = verify_pack(get_pack("bundled"), bundled_dir())
    threads = {"intra_op_threads": args.intra_op_threads, "inter_op_threads": args.inter_op_threads}
    if args.intra_op_spinning is not None:
        threads["spin"] = args.intra_op_spinning
    options = SessionOptions(**threads)
    detection = DetectionOptions()
    singles = pick_single_faces(args.facedata, count=args.single)
    group = [sample_photo("players.jpg")]
    sets = {f"{len(singles)} single-face photos": singles, "group photo (players.jpg)": group}
    engines, reduced = {}, {}
    for name in args.configs.split(","):
        config = CONFIGS[name]
        engines[config.label] = build(files, options, config)
        reduced[config.label] = config.reduced
    small = sum(max(p.pixels().shape[:2]) <= 640 for p in singles)

    out: list[str] = []

    def emit(lines: Sequence[str]) -> None:
        print("\n".join(lines), flush=True)
        out.extend(lines)

    emit(
        [
            "# Engine benchmark",
            "",
            provenance(),
            "",
            f"{len(os.sched_getaffinity(0))} cores available to this process; load average at "
            f"start {os.getloadavg()[0]:.2f}; onnxruntime "
            f"{ort.__version__}; bundled pack ({files.detector_path.name}, "
            f"{files.recognizer_path.name}); ONNX Runtime intra-op threads "
            f"{options.intra_op_threads}, inter-op {options.inter_op_threads}, spinning "
            f"{'on' if getattr(options, 'spin', True) else 'off'}, for both engines. "
            f"Single-face photos: {len(singles)} labelled photos of facedata, {small} of them "
            f"640 px or smaller on the long side. Each photo's median of {args.repeats} runs "
            "(the group photo: twice as many) after a warm-up pass, the engines taking turns photo "
            "by photo, averaged over the photos; CPU ms = the process's CPU time (all threads); "
            "spread = (slowest - fastest) / median of a photo's runs, the median over the photos: "
            "how noisy the machine was.",
        ]
    )
    if "engine" in sections:
        analysis = face_analysis(files, options)
        reference = analysis_contender(analysis)
        contenders = [
            facerec_contender(label, e, reduced=reduced[label]) for label, e in engines.items()
        ] + [reference]
        emit(["", "## facerec against insightface FaceAnalysis", ""])
        for set_name, photos in sets.items():
            repeats = args.repeats * (2 if len(photos) == 1 else 1)
            timings = time_contenders(contenders, photos, repeats)
            emit([f"{set_name}:", "", *timing_table(timings, reference.label), ""])
        emit(["Same faces embedded (every face FaceAnalysis finds, matched by its box):", ""])
        emit(same_faces_table(engines, reduced, analysis, sets))
    if "sizing" in sections:
        everything = facedata_photos(args.facedata)
        emit(["", f"## Detector input: letterbox against fitted, {len(everything)} photos", ""])
        sizings = {
            s: FaceEngine(files, options, replace(detection, sizing=s))
            for s in ("letterbox", "fitted")
        }
        emit(sizing_table(sizings, everything))
    if "batch" in sections:
        emit(["", "## Faces per recognizer run, group photo (facerec, defaults)", ""])
        emit(batch_table(files, options, group, args.repeats * 2))
    if "ort" in sections:
        emit(["", "## ONNX Runtime options, one request at a time (facerec, default sizing)"])
        ort_sets = {
            f"{len(singles[:25])} single-face photos": singles[:25],
            **dict(list(sets.items())[1:]),
        }
        emit(ort_tables(files, options, detection, ort_sets, max(3, args.repeats // 2)))
    if "concurrency" in sections:
        emit(["", "## Requests at once on a thread pool (facerec, default sizing)", ""])
        emit(concurrency_table(files, options, detection, singles, (1, 2, 4), 2))
    emit(["", f"Load average at the end: {os.getloadavg()[0]:.2f}."])
    write_results("\n".join(out), args.out)


def _setting(name: str) -> Any:
    """The default of one of facerec's settings (what a server runs with unless told otherwise);
    None where this version of facerec lacks it."""
    field = Settings.model_fields.get(name)
    return None if field is None else field.default


if __name__ == "__main__":
    main()
