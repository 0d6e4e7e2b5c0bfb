"""``facerec models``: list, verify and download model packs."""

from __future__ import annotations

import typer

from facerec.cli.common import app, domain_errors, load_settings, print_json

models_app = typer.Typer(help="List, verify and download model packs.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """The known model packs and whether each is present."""
    from facerec.engine.models import PACKS, is_present

    settings = load_settings()
    print_json(
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

    settings = load_settings()
    with domain_errors():
        chosen = get_pack(pack or settings.model_pack)
        files = verify_pack(chosen, pack_dir(chosen, settings.models_dir))
    print_json(
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

    settings = load_settings()
    with domain_errors():
        chosen = get_pack(pack)
        target = download_pack(
            chosen, models_dir=settings.models_dir, base_url=settings.model_base_url
        )
    print_json({"pack": chosen.name, "installed": str(target)})
