"""Use cases on model packs: list the known ones, check a pack's files, download one.

They need the settings only, never the database or a loaded model. Imports the engine's model
registry; nothing of the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facerec.config import Settings
from facerec.engine.models import PACKS, download_pack, get_pack, is_present, pack_dir, verify_pack


@dataclass(frozen=True)
class PackStatus:
    name: str
    description: str
    present: bool
    default_threshold: float
    review_threshold: float
    calibration: str
    selected: bool


@dataclass(frozen=True)
class VerifiedPack:
    name: str
    files: list[Path]


@dataclass(frozen=True)
class InstalledPack:
    name: str
    folder: Path


def list_packs(settings: Settings) -> list[PackStatus]:
    """Every known pack, whether its files are in ``settings.models_dir`` and which one is chosen."""
    return [
        PackStatus(
            name=p.name,
            description=p.description,
            present=is_present(p, settings.models_dir),
            default_threshold=p.default_threshold,
            review_threshold=p.review_threshold,
            calibration=p.calibration,
            selected=p.name == settings.model_pack,
        )
        for p in PACKS.values()
    ]


def check_pack(settings: Settings, name: str | None) -> VerifiedPack:
    """Check the files of pack ``name`` (default: the configured one) against their sha256, or raise
    ``ModelError``."""
    chosen = get_pack(name or settings.model_pack)
    files = verify_pack(chosen, pack_dir(chosen, settings.models_dir))
    return VerifiedPack(name=chosen.name, files=[files.detector_path, files.recognizer_path])


def install_pack(settings: Settings, name: str) -> InstalledPack:
    """Download, verify and cache pack ``name`` in ``settings.models_dir``."""
    chosen = get_pack(name)
    folder = download_pack(chosen, models_dir=settings.models_dir, base_url=settings.model_base_url)
    return InstalledPack(name=chosen.name, folder=folder)
