"""The evaluation's results as Markdown tables (printed, and written with the plots to a folder).

The plots (ROC, and the histogram of same-person and different-person similarities) need
matplotlib, the ``eval`` extra; without it the report says so and is written without them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from facerec.evaluation.run import Evaluation

ROC_PNG = "roc.png"
SCORES_PNG = "scores.png"


def _pct(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{100 * value:.{digits}f}%"


def _table(header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def summary(evaluation: Evaluation) -> str:
    """All the tables, in Markdown."""
    return "\n\n".join(
        [
            f"Dataset `{evaluation.dataset.root}`, model pack `{evaluation.model_pack}`, threshold "
            f"{evaluation.rule.threshold:.2f} (needs_review from {evaluation.rule.review_from:.2f}, "
            f"margin {evaluation.rule.margin:.2f}).",
            "### Detection\n\n" + _detection(evaluation),
            "### Verification\n\n" + _verification(evaluation),
            "### Other thresholds\n\n" + _sweep(evaluation),
            "### Identification\n\n" + _identification(evaluation),
            "### Several photos per person\n\n" + _templates(evaluation),
        ]
    )


def _detection(evaluation: Evaluation) -> str:
    d = evaluation.detection
    missed = ", ".join(f"`{f}`" for f in d.labelled_without_face) or "none"
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(d.quality_reasons.items())) or "none"
    return _table(
        ("measure", "result"),
        [
            (
                "labelled single-face photos with a face found",
                f"{d.labelled_with_face} of {d.labelled} (missed: {missed})",
            ),
            (
                "group photos: faces found / expected",
                f"{d.group_faces_found} / {d.group_faces_expected} "
                f"({d.group_photos_exact} of {d.group_photos} photos exactly)",
            ),
            (
                "no-face photos with a face found",
                f"{d.none_photos_with_face} of {d.none_photos} ({d.none_faces_found} faces)",
            ),
            (
                "broken files refused with an image error",
                f"{d.invalid_refused} of {d.invalid_photos}",
            ),
            (
                "labelled faces passing the enrollment quality gate",
                f"{d.quality_passed} of {d.quality_checked} (reasons: {reasons})",
            ),
        ],
    )


def _verification(evaluation: Evaluation) -> str:
    v = evaluation.verification
    rows = [
        ("pairs", f"{v.genuine.size:,} same-person, {v.impostor.size:,} different-person"),
    ]
    for target, found in v.at_far.items():
        label = f"TAR at FAR {_pct(target, 2 if target < 0.01 else 0)}"
        if found is None:
            rows.append((label, f"n/a (needs {math.ceil(1 / target):,} different-person pairs)"))
        else:
            rows.append((label, f"{_pct(found[1])} (threshold {found[0]:.3f})"))
    rows += [
        ("EER", f"{_pct(v.eer)} (at {v.eer_threshold:.3f})"),
        ("ROC AUC", f"{v.auc:.5f}"),
        (
            f"at the threshold {v.threshold:.2f}: TAR / FAR",
            f"{_pct(v.tar_at_threshold)} / {_pct(v.far_at_threshold, 4)} "
            f"({v.false_rejects} false rejects, {v.false_accepts} false accepts)",
        ),
    ]
    if v.pairs_without_face:
        rows.append(
            ("pairs with a photo without a face (count as rejected)", str(v.pairs_without_face))
        )
    return _table(("measure", "result"), rows)


def _sweep(evaluation: Evaluation) -> str:
    v = evaluation.verification
    lines = [
        "| threshold | same-person pairs accepted (TAR) | different-person pairs accepted (FAR) |",
        "|---|---|---|",
    ]
    for threshold, tar, far in v.sweep:
        accepted = round(far * v.impostor.size)
        lines.append(
            f"| {threshold:.2f} | {_pct(tar)} | {_pct(far, 4)} ({accepted:,} of {v.impostor.size:,}) |"
        )
    return "\n".join(lines)


def _identification(evaluation: Evaluation) -> str:
    i = evaluation.identification
    m, n = i.mated_decisions, i.non_mated_decisions
    fnir = "n/a (too few probes)"
    if i.fnir_at_fpir is not None and i.threshold_at_fpir is not None:
        fnir = f"{_pct(i.fnir_at_fpir)} (threshold {i.threshold_at_fpir:.3f})"
    return _table(
        ("measure", "result"),
        [
            ("enrolled", f"{i.gallery} identities, one photo each; {i.probes} probe photos"),
            ("rank-1 (closed set)", _pct(i.rank1)),
            ("FNIR at FPIR 1% (open set)", fnir),
            (
                f"at the threshold {evaluation.rule.threshold:.2f}: FNIR / FPIR",
                f"{_pct(i.fnir_at_threshold)} / {_pct(i.fpir_at_threshold)}",
            ),
            (
                "decisions, person enrolled",
                f"match right {m.get('match_right', 0)}, match wrong {m.get('match_wrong', 0)}, "
                f"needs_review {m.get('needs_review', 0)}, unknown {m.get('unknown', 0)}",
            ),
            (
                "decisions, person left out of the gallery",
                f"match {n.get('match', 0)}, needs_review {n.get('needs_review', 0)}, "
                f"unknown {n.get('unknown', 0)}",
            ),
        ],
    )


def _templates(evaluation: Evaluation) -> str:
    lines = [
        "Two photos enrolled per identity (where it has three or more), the rest probe.",
        "",
        "| scoring of a person | rank-1 | FNIR at threshold | FPIR at threshold | FNIR at FPIR 1% "
        "| d' |",
        "|---|---|---|---|---|---|",
    ]
    for t in evaluation.template_scorings:
        lines.append(
            f"| {t.name} | {_pct(t.rank1)} | {_pct(t.fnir_at_threshold)} | "
            f"{_pct(t.fpir_at_threshold)} | {_pct(t.fnir_at_fpir)} | {t.decidability:.2f} |"
        )
    return "\n".join(lines)


def write_report(evaluation: Evaluation, folder: Path) -> Path:
    """Write report.md (and the plots, when matplotlib is installed) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = _write_plots(evaluation, folder)
    body = ["# facerec evaluation", "", summary(evaluation), ""]
    if plots:
        body += [f"![ROC]({ROC_PNG})", "", f"![similarities]({SCORES_PNG})", ""]
    else:
        body += ["(Plots skipped: install the eval extra, `pip install 'facerec[eval]'`.)", ""]
    path = folder / "report.md"
    path.write_text("\n".join(body), encoding="utf-8")
    return path


def _write_plots(evaluation: Evaluation, folder: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    from facerec.evaluation import metrics

    v, rule = evaluation.verification, evaluation.rule
    genuine, impostor = v.genuine[np.isfinite(v.genuine)], v.impostor[np.isfinite(v.impostor)]
    title = f"{evaluation.dataset.root.name} · {evaluation.model_pack}"

    _, far, tar = metrics.roc(genuine, impostor)
    floor = 0.5 / max(impostor.size, 1)
    figure, axes = plt.subplots(figsize=(6, 4.5))
    axes.plot(np.maximum(far, floor), tar, color="tab:blue", label="ROC")
    axes.scatter(
        [max(v.far_at_threshold, floor)],
        [v.tar_at_threshold],
        color="tab:red",
        zorder=3,
        label=f"threshold {rule.threshold:.2f}",
    )
    axes.set_xscale("log")
    axes.set_xlim(floor, 1.0)
    axes.set_xlabel("false accept rate (different-person pairs)")
    axes.set_ylabel("true accept rate (same-person pairs)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(folder / ROC_PNG, dpi=120)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(6, 4.5))
    bins = [float(b) for b in np.linspace(-0.3, 1.0, 66)]
    axes.hist(impostor, bins=bins, density=True, alpha=0.6, label="different people")
    axes.hist(genuine, bins=bins, density=True, alpha=0.6, label="same person")
    axes.axvline(rule.threshold, color="tab:red", label=f"threshold {rule.threshold:.2f}")
    axes.axvline(rule.review_from, color="tab:orange", linestyle="--", label="needs_review from")
    axes.set_xlabel("cosine similarity")
    axes.set_ylabel("density")
    axes.set_title(title)
    axes.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(folder / SCORES_PNG, dpi=120)
    plt.close(figure)
    return True
