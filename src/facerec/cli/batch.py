"""``facerec enroll-dir``: bulk enrollment from a folder, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from facerec.cli.common import app, domain_errors, load_settings, print_json, with_recognizer
from facerec.domain import PersonType

EXIT_SOME_FAILED = 12


@app.command("enroll-dir")
def enroll_dir(
    directory: Path = typer.Argument(
        ..., help="mapping.csv and photos, or folders named by person id"
    ),
    person_type: PersonType = typer.Option(
        PersonType.STUDENT, help="For S-001/ folders and an empty person_type in mapping.csv"
    ),
    allow_poor_quality: bool = typer.Option(False, help="Enrol faces that fail the quality gate"),
    allow_duplicate: bool = typer.Option(
        False, help="Enrol faces that already match another person"
    ),
) -> None:
    """Enroll every photo of DIRECTORY; print the JSON report (one entry per photo, and totals).

    DIRECTORY holds mapping.csv (file,person_type,person_id,name,class_name) and the photos it
    lists, or folders named by person id: S-001/a.jpg, students/S-001/a.jpg, teachers/T-1/b.jpg.

    Safe to re-run: photos already enrolled are reported as already_enrolled.

    Exit 0 when every photo is enrolled or already enrolled, 12 when some failed (see their error),
    2 when the folder itself is unusable.
    """
    from tqdm import tqdm

    from facerec.service import batch, faces
    from facerec.service.batch import BatchReport
    from facerec.service.recognizer import Recognizer
    from facerec.views import BatchResponse

    settings = load_settings()
    with domain_errors():  # a bad folder fails before the models load
        items = batch.items_from_directory(
            directory, default_person_type=person_type.value, settings=settings
        )
    overrides = faces.Overrides(poor_quality=allow_poor_quality, duplicate=allow_duplicate)

    def run(recognizer: Recognizer) -> BatchReport:  # the bar starts once the models are loaded
        with tqdm(total=len(items), desc="enrolling", unit="photo", file=sys.stderr) as bar:
            return batch.enroll_batch(
                recognizer,
                items=items,
                overrides=overrides,
                client="cli",
                progress=lambda _: bar.update(),
            )

    report = with_recognizer(run)
    print_json(BatchResponse.of(report).model_dump(mode="json"))
    if report.failed:
        raise typer.Exit(EXIT_SOME_FAILED)
