"""The ``facerec`` command line: serve, enroll, verify, identify, reindex, eval, models.

Thin: parse, call one service function, print JSON. Domain errors become a message on stderr and an
exit code from ``EXIT_CODES`` (the CLI's one table, like ``api/errors.py`` for HTTP).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from facerec import errors
from facerec.config import Settings

app = typer.Typer(
    help="facerec: self-hosted face recognition.", no_args_is_help=True, add_completion=False
)
models_app = typer.Typer(help="List, verify and download model packs.", no_args_is_help=True)
app.add_typer(models_app, name="models")

EXIT_CODES: list[tuple[type[errors.FacerecError], int]] = [
    (errors.InvalidInput, 2),
    (errors.ImageError, 3),
    (errors.NoFaceFound, 4),
    (errors.PoorQuality, 11),
    (errors.NotFound, 5),
    (errors.Conflict, 6),
    (errors.ModelError, 7),
    (errors.StorageUnavailable, 8),
    (errors.ServiceNotReady, 8),
    (errors.Unauthorized, 9),
]

T = TypeVar("T")


def main() -> None:
    app()


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings


@contextmanager
def _domain_errors() -> Iterator[None]:
    try:
        yield
    except errors.FacerecError as exc:
        code = next((c for t, c in EXIT_CODES if isinstance(exc, t)), 1)
        typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
        raise typer.Exit(code) from None


def _with_runtime(func: Callable[..., T], **kwargs: Any) -> T:
    from facerec.service.runtime import start_runtime

    with _domain_errors():
        runtime = start_runtime(_settings(), show_progress=True)
        try:
            return func(runtime, **kwargs)
        finally:
            runtime.close()


def _print(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        typer.echo(f"error [invalid_input]: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default FACEREC_HOST)"),
    port: int | None = typer.Option(None, help="Port (default FACEREC_PORT)"),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from facerec.api.app import create_app
    from facerec.service.runtime import start_runtime

    settings = _settings()
    # A missing model or an unreachable database: one clear line and an exit code, no traceback.
    with _domain_errors():
        runtime = start_runtime(settings, show_progress=True)
    uvicorn.run(
        create_app(settings, runtime),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
    )


@app.command()
def enroll(
    image: Path,
    student: str | None = typer.Option(None, help="Enroll as this student id"),
    teacher: str | None = typer.Option(None, help="Enroll as this teacher id"),
    name: str | None = typer.Option(None, help="The person's name"),
    allow_poor_quality: bool = typer.Option(
        False, help="Enrol even if the face fails the quality gate"
    ),
    allow_duplicate: bool = typer.Option(
        False, help="Enrol even if the face already matches another person"
    ),
) -> None:
    """Enroll the largest face in IMAGE for a student or a teacher.

    Exit 11 when the face is too poor to enrol, 6 when it already matches another person."""
    from facerec.api.schemas import EnrollResponse
    from facerec.service import faces

    if (student is None) == (teacher is None):
        typer.echo("error [invalid_input]: give exactly one of --student or --teacher", err=True)
        raise typer.Exit(2)
    with _domain_errors():
        ref = faces.person_ref("student" if student else "teacher", student or teacher or "")
    data = _read(image)
    overrides = faces.Overrides(poor_quality=allow_poor_quality, duplicate=allow_duplicate)
    enrollment = _with_runtime(faces.enroll, image=data, ref=ref, name=name, overrides=overrides)
    _print(EnrollResponse.of_enrollment(enrollment).model_dump(mode="json"))


@app.command()
def verify(
    image1: Path,
    image2: Path,
    threshold: float | None = typer.Option(None, help="Override the threshold"),
) -> None:
    """Say whether two images show the same person (exit 0 yes, 10 no)."""
    from facerec.api.schemas import VerifyResponse
    from facerec.service import recognition

    first, second = _read(image1), _read(image2)
    result = _with_runtime(
        recognition.verify, image1=first, image2=second, threshold=threshold, client="cli"
    )
    _print(VerifyResponse.of(result).model_dump(mode="json"))
    if not result.same_person:
        raise typer.Exit(10)


@app.command()
def identify(
    image: Path,
    threshold: float | None = typer.Option(None, help="Override the threshold"),
    top_k: int = typer.Option(5, help="Candidates per face"),
) -> None:
    """Identify every face in IMAGE among the enrolled people."""
    from facerec.api.schemas import IdentifyResponse
    from facerec.service import recognition

    data = _read(image)
    result = _with_runtime(
        recognition.identify, image=data, threshold=threshold, top_k=top_k, client="cli"
    )
    _print(IdentifyResponse.of(result).model_dump(mode="json"))


@app.command()
def reindex(
    reembed: bool = typer.Option(
        False, help="First re-embed, from their stored images, faces made by another model pack"
    ),
) -> None:
    """Rebuild the index from the database and check every stored embedding.

    A running server rebuilds its own with POST /v1/admin/reindex.
    """
    from facerec.service import admin

    report = _with_runtime(admin.reindex, reembed_other_packs=reembed)
    _print({"indexed": report.indexed, "reembedded": report.reembedded, "failed": report.failed})


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

    settings = _settings()
    with _domain_errors():
        photos = load_dataset(dataset)  # a bad folder fails before the models load
        engine = load_engine(settings, show_progress=True)
        result = run_evaluation(engine, photos, settings, threshold=threshold)
    typer.echo(summary(result))
    typer.echo(f"\nreport: {write_report(result, out)}")


@models_app.command("list")
def models_list() -> None:
    """The known model packs and whether each is present."""
    from facerec.engine.models import PACKS, is_present

    settings = _settings()
    _print(
        [
            {
                "name": p.name,
                "description": p.description,
                "present": is_present(p, settings.models_dir),
                "default_threshold": p.default_threshold,
                "review_threshold": p.review_threshold,
                "calibration": p.calibration,
                "selected": p.name == settings.model_pack,
            }
            for p in PACKS.values()
        ]
    )


@models_app.command("verify")
def models_verify(
    pack: str = typer.Argument(None, help="Pack name (default: FACEREC_MODEL_PACK)"),
) -> None:
    """Check a pack's files against their sha256."""
    from facerec.engine.models import get_pack, pack_dir, verify_pack

    settings = _settings()
    with _domain_errors():
        chosen = get_pack(pack or settings.model_pack)
        files = verify_pack(chosen, pack_dir(chosen, settings.models_dir))
    _print(
        {
            "pack": chosen.name,
            "ok": True,
            "files": [str(files.detector_path), str(files.recognizer_path)],
        }
    )


@models_app.command("download")
def models_download(pack: str = typer.Argument(..., help="Pack name, e.g. buffalo_l")) -> None:
    """Download, verify and cache an InsightFace pack in FACEREC_MODELS_DIR."""
    from facerec.engine.models import download_pack, get_pack

    settings = _settings()
    with _domain_errors():
        chosen = get_pack(pack)
        target = download_pack(
            chosen, models_dir=settings.models_dir, base_url=settings.model_base_url
        )
    _print({"pack": chosen.name, "installed": str(target)})


if __name__ == "__main__":  # pragma: no cover
    main()
