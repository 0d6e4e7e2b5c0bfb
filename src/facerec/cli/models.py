"""``facerec models``: list, verify and download model packs."""

from __future__ import annotations

from dataclasses import asdict

import typer

from facerec.cli.common import app, domain_errors, load_settings, print_json

models_app = typer.Typer(help="List, verify and download model packs.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """The known model packs and whether each is present."""
    from facerec.service.models import list_packs

    print_json([asdict(p) for p in list_packs(load_settings())])


@models_app.command("verify")
def models_verify(
    pack: str = typer.Argument(None, help="Pack name (default: FACEREC_MODEL_PACK)"),
) -> None:
    """Check a pack's files against their sha256."""
    from facerec.service.models import check_pack

    settings = load_settings()
    with domain_errors():
        checked = check_pack(settings, pack)
    print_json({"pack": checked.name, "ok": True, "files": [str(f) for f in checked.files]})


@models_app.command("download")
def models_download(pack: str = typer.Argument(..., help="Pack name, e.g. buffalo_l")) -> None:
    """Download, verify and cache an InsightFace pack in FACEREC_MODELS_DIR."""
    from facerec.service.models import install_pack

    settings = load_settings()
    with domain_errors():
        installed = install_pack(settings, pack)
    print_json({"pack": installed.name, "installed": str(installed.folder)})
