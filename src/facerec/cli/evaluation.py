"""``facerec eval``: measure accuracy on a labelled photo folder."""

from __future__ import annotations

from pathlib import Path

import typer

from facerec.cli.common import app, domain_errors, load_settings


@app.command("eval")
def evaluate(
    dataset: Path = typer.Argument(
        ..., help="Folder with MANIFEST.tsv, PAIRS_SAME.tsv, PAIRS_DIFF.tsv"
    ),
    out: Path = typer.Option(Path("eval-report"), help="Where report.md and the plots go"),
    threshold: float | None = typer.Option(None, help="Evaluate at this threshold"),
) -> None:
    """Measure detection, verification and identification on a labelled photo folder.

    Prints the summary tables (Markdown) and writes them, with a ROC plot and a histogram of
    similarities, to OUT. Uses the configured model pack and settings; touches no database."""
    from facerec.evaluation.dataset import load_dataset
    from facerec.evaluation.report import summary, write_report
    from facerec.evaluation.run import evaluate as run_evaluation
    from facerec.service.runtime import load_engine

    settings = load_settings()
    with domain_errors():
        photos = load_dataset(dataset)  # a bad folder fails before the models load
        engine = load_engine(settings, show_progress=True)
        result = run_evaluation(engine, photos, settings, threshold=threshold)
    typer.echo(summary(result))
    typer.echo(f"\nreport: {write_report(result, out)}")
