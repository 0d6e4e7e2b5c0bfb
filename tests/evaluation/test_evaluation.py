"""`facerec eval` on the real labelled photos (../shared/facedata) with the bundled models and default
settings: the accuracy targets of the evaluation issue, the report, and the command itself."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from facerec.config import Settings
from facerec.engine.pipeline import FaceEngine
from facerec.evaluation.dataset import load_dataset
from facerec.evaluation.report import summary, write_report
from facerec.evaluation.run import Evaluation, evaluate
from tests.conftest import Facedata, make_settings, run_cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.slow  # whole-dataset runs


def default_settings(folder: Path) -> Settings:
    # The pack's own threshold and band, whatever a developer's FACEREC_ variables say.
    return make_settings(folder, threshold=None, review_band=None)


def run_evaluation(engine: FaceEngine, root: Path, settings: Settings) -> Evaluation:
    return evaluate(engine, load_dataset(root), settings, show_progress=False)


@pytest.fixture(scope="module")
def evaluation(
    engine: FaceEngine, facedata: Facedata, tmp_path_factory: pytest.TempPathFactory
) -> Evaluation:
    """One run over every photo (the slow part); the tests read its results."""
    return run_evaluation(engine, facedata.root, default_settings(tmp_path_factory.mktemp("eval")))


def test_runs_at_the_packs_default_threshold(evaluation: Evaluation, engine: FaceEngine) -> None:
    assert evaluation.model_pack == "bundled"
    assert evaluation.rule.threshold == engine.pack.default_threshold
    assert evaluation.rule.review_from == pytest.approx(engine.pack.review_threshold)
    assert set(evaluation.photos) == {p.file for p in evaluation.dataset.photos}


def test_every_labelled_single_face_photo_yields_a_face(
    evaluation: Evaluation, facedata: Facedata
) -> None:
    detection = evaluation.detection
    assert detection.labelled == len(facedata.labelled_single_faces())
    assert detection.labelled_with_face == detection.labelled, detection.labelled_without_face
    assert detection.labelled_without_face == ()
    assert detection.quality_checked == detection.labelled


def test_group_photos_have_about_the_expected_faces(evaluation: Evaluation) -> None:
    detection = evaluation.detection
    assert detection.group_photos >= 20  # those with a count (not "?")
    assert abs(detection.group_faces_found - detection.group_faces_expected) <= 3
    assert detection.group_photos_exact >= detection.group_photos - 2


def test_the_broken_files_are_refused(evaluation: Evaluation) -> None:
    assert evaluation.detection.invalid_photos == 3
    assert evaluation.detection.invalid_refused == 3
    for result in evaluation.photos.values():
        if result.photo.identity == "INVALID":
            assert result.error in {"corrupt_image", "unsupported_image", "empty_image"}
            assert result.embedding is None and result.faces_found == 0
        else:
            assert result.error is None, result.photo.file


def test_verification_meets_its_targets_at_the_default_threshold(evaluation: Evaluation) -> None:
    v = evaluation.verification
    assert (v.genuine.size, v.impostor.size) == (686, 26289)
    assert v.pairs_without_face == 0
    assert v.tar_at_threshold >= 0.995, f"{v.false_rejects} false rejects"
    assert v.far_at_threshold <= 0.001, f"{v.false_accepts} false accepts"
    assert v.false_accepts == int(np.sum(v.impostor >= v.threshold))
    assert v.false_rejects == int(np.sum(v.genuine < v.threshold))
    at_far = v.at_far[0.001]
    assert at_far is not None and at_far[1] >= 0.995
    assert v.at_far[0.0001] is not None  # 26,289 pairs are enough to measure 0.01%
    assert v.auc >= 0.999
    assert v.eer <= 0.005


def test_identification_rank1(evaluation: Evaluation) -> None:
    i = evaluation.identification
    identities = {p.identity for p in evaluation.dataset.photos if p.labelled}
    assert i.gallery == len(identities)
    assert i.probes == evaluation.detection.labelled - i.gallery
    assert i.rank1 >= 0.99
    assert i.mated_top.size == i.non_mated_top.size == i.probes


def test_no_enrolled_probe_is_matched_to_the_wrong_person(evaluation: Evaluation) -> None:
    i = evaluation.identification
    assert i.mated_decisions.get("match_wrong", 0) == 0
    assert i.mated_decisions.get("match_right", 0) >= 0.99 * i.probes
    assert sum(i.mated_decisions.values()) == i.probes
    assert sum(i.non_mated_decisions.values()) == i.probes
    assert set(i.non_mated_decisions) <= {"match", "needs_review", "unknown"}
    # With its own identity left out, a probe is matched to someone else about as often as the
    # threshold lets a different person through.
    assert i.non_mated_decisions.get("match", 0) <= 0.01 * i.probes
    assert i.fpir_at_threshold <= 0.01


def test_template_scorings_compare_best_of_mean_and_centroid(evaluation: Evaluation) -> None:
    scorings = evaluation.template_scorings
    assert [s.name for s in scorings] == ["best-of", "mean", "centroid"]
    for scoring in scorings:
        assert scoring.rank1 >= 0.99, scoring
        assert math.isfinite(scoring.decidability) and scoring.decidability > 2, scoring


def test_report_tables_and_plots(evaluation: Evaluation, tmp_path: Path) -> None:
    text = summary(evaluation)
    for heading in ("Detection", "Verification", "Identification", "Several photos per person"):
        assert f"### {heading}" in text
    labelled = evaluation.detection.labelled
    assert f"| labelled single-face photos with a face found | {labelled} of {labelled}" in text
    assert "| broken files refused with an image error | 3 of 3 |" in text
    assert "686 same-person, 26,289 different-person" in text
    assert re.search(r"\| TAR at FAR 0\.10% \| \d+\.\d\d% \(threshold 0\.\d{3}\) \|", text)
    assert "| rank-1 (closed set) |" in text
    assert "| best-of |" in text and "| centroid |" in text

    path = write_report(evaluation, tmp_path / "report")
    assert path == tmp_path / "report" / "report.md"
    assert text in path.read_text(encoding="utf-8")
    for plot in ("roc.png", "scores.png"):
        assert (tmp_path / "report" / plot).read_bytes().startswith(PNG_SIGNATURE)


# The command ----------------------------------------------------------------------------------------

IDENTITIES = ("Tony_Blair", "Colin_Powell", "deepface_angelina")


def small_dataset(facedata: Facedata, root: Path) -> Path:
    """Three people, three photos each, one group photo and one broken file: links to facedata."""
    rows = [r for name in IDENTITIES for r in facedata.with_identity(name)[:3]]
    rows += [r for r in facedata.rows if r["file"].endswith(("couple.jpg", "truncated.jpg"))]
    manifest = ["file\tidentity\tfaces_expected\ttags"]
    for row in rows:
        (root / row["file"]).parent.mkdir(parents=True, exist_ok=True)
        (root / row["file"]).symlink_to(facedata.path(row["file"]))
        manifest.append(f"{row['file']}\t{row['identity']}\t{row['faces_expected']}\t")
    labelled = [r for r in rows if r["identity"] in IDENTITIES]
    same, diff = ["file_a\tfile_b"], ["file_a\tfile_b"]
    for n, a in enumerate(labelled):
        for b in labelled[n + 1 :]:
            (same if a["identity"] == b["identity"] else diff).append(f"{a['file']}\t{b['file']}")
    for name, lines in (("MANIFEST", manifest), ("PAIRS_SAME", same), ("PAIRS_DIFF", diff)):
        (root / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_eval_command_prints_the_tables_and_writes_the_report(
    facedata: Facedata, tmp_path: Path
) -> None:
    root = small_dataset(facedata, tmp_path / "photos")
    out = tmp_path / "report"
    done = run_cli(make_settings(tmp_path), "eval", root, "--out", out)
    assert done.exit_code == 0, done.stderr
    assert (
        "| labelled single-face photos with a face found | 9 of 9 (missed: none) |" in done.stdout
    )
    assert "| broken files refused with an image error | 1 of 1 |" in done.stdout
    assert "| pairs | 9 same-person, 27 different-person |" in done.stdout
    # 27 different-person pairs are too few to measure a FAR of 0.1%, and the table says so.
    assert "| TAR at FAR 0.10% | n/a (needs 1,000 different-person pairs) |" in done.stdout
    assert "| rank-1 (closed set) | 100.00% |" in done.stdout
    assert "match wrong 0" in done.stdout
    assert f"report: {out / 'report.md'}" in done.stdout

    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# facerec evaluation")
    assert "| TAR at FAR 0.10% |" in report and "![ROC](roc.png)" in report
    for plot in ("roc.png", "scores.png"):
        assert (out / plot).read_bytes().startswith(PNG_SIGNATURE)
    assert not (tmp_path / "data" / "facerec.db").exists()  # eval touches no database


def test_eval_command_refuses_a_folder_that_is_not_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_cli(make_settings(tmp_path), "eval", tmp_path / "empty")
    assert done.exit_code == 2, done.stderr
    assert (
        f"error [invalid_input]: cannot read {tmp_path / 'empty' / 'MANIFEST.tsv'}" in done.stderr
    )
    assert not (tmp_path / "eval-report").exists()
