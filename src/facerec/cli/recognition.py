"""``facerec serve``, ``enroll``, ``verify``, ``identify``, ``reindex``."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from facerec.cli.common import (
    app,
    domain_errors,
    load_settings,
    print_json,
    read_bytes,
    with_recognizer,
)

log = logging.getLogger(__name__)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default FACEREC_HOST)"),
    port: int | None = typer.Option(None, help="Port (default FACEREC_PORT)"),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from facerec.api.app import create_app
    from facerec.service.runtime import start_runtime

    settings = load_settings()
    # A missing model or an unreachable database: one clear line and an exit code, no traceback.
    with domain_errors():
        runtime = start_runtime(settings, show_progress=True)
    parser, loop = settings.server_stack()
    log.info("serving with the %s HTTP parser and the %s event loop", parser, loop)
    uvicorn.run(
        create_app(settings, runtime),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        http=parser,
        loop=loop,
        access_log=settings.access_log,
    )


@app.command()
def enroll(
    image: Path,
    student: str | None = typer.Option(None, help="Enroll as this student id"),
    teacher: str | None = typer.Option(None, help="Enroll as this teacher id"),
    name: str | None = typer.Option(None, help="The person's name"),
    class_name: str | None = typer.Option(None, "--class", help="The person's class or group"),
    allow_poor_quality: bool = typer.Option(
        False, help="Enrol even if the face fails the quality gate"
    ),
    allow_duplicate: bool = typer.Option(
        False, help="Enrol even if the face already matches another person"
    ),
) -> None:
    """Enroll the largest face in IMAGE for a student or a teacher.

    Exit 11 when the face is too poor to enrol, 6 when it already matches another person."""
    from facerec.service import faces
    from facerec.views import EnrollResponse

    if (student is None) == (teacher is None):
        typer.echo("error [invalid_input]: give exactly one of --student or --teacher", err=True)
        raise typer.Exit(2)
    with domain_errors():
        ref = faces.person_ref("student" if student else "teacher", student or teacher or "")
    data = read_bytes(image)
    overrides = faces.Overrides(poor_quality=allow_poor_quality, duplicate=allow_duplicate)
    enrollment = with_recognizer(
        faces.enroll,
        image=data,
        ref=ref,
        name=name,
        class_name=class_name,
        overrides=overrides,
        client="cli",
    )
    print_json(EnrollResponse.of_enrollment(enrollment).model_dump(mode="json"))


@app.command()
def verify(
    image1: Path,
    image2: Path,
    threshold: float | None = typer.Option(None, help="Override the threshold"),
) -> None:
    """Say whether two images show the same person (exit 0 yes, 10 no)."""
    from facerec.service import recognition
    from facerec.views import VerifyResponse

    first, second = read_bytes(image1), read_bytes(image2)
    result = with_recognizer(
        recognition.verify, image1=first, image2=second, threshold=threshold, client="cli"
    )
    print_json(VerifyResponse.of(result).model_dump(mode="json"))
    if not result.same_person:
        raise typer.Exit(10)


@app.command()
def identify(
    image: Path,
    threshold: float | None = typer.Option(None, help="Override the threshold"),
    top_k: int = typer.Option(5, help="Candidates per face"),
) -> None:
    """Identify every face in IMAGE among the enrolled people."""
    from facerec.service import recognition
    from facerec.views import IdentifyResponse

    data = read_bytes(image)
    result = with_recognizer(
        recognition.identify, image=data, threshold=threshold, top_k=top_k, client="cli"
    )
    print_json(IdentifyResponse.of(result).model_dump(mode="json"))


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

    report = with_recognizer(admin.reindex, reembed_other_packs=reembed)
    print_json(
        {"indexed": report.indexed, "reembedded": report.reembedded, "failed": report.failed}
    )
