"""facerec's one Settings object.

Built once at an entry point (``create_app``, the CLI) from ``FACEREC_*`` environment variables and an
optional ``.env`` file, then passed down. Nothing else in the package reads the environment.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

StringList = Annotated[list[str], NoDecode]  # "a,b,c" in the environment
SecretList = Annotated[list[SecretStr], NoDecode]


class Settings(BaseSettings):
    """Every knob of the service. docs/configuration.md is generated from these fields (their
    defaults, descriptions and the ``# Section`` comments above them) by scripts/docs.py.

    Secrets (``database_url``, ``api_keys``) are ``SecretStr``: their repr, str and JSON dump are
    masked, and a validation error never quotes the input. Only ``open_database`` reveals the URL,
    to build the engine, and only the API key check reveals the keys."""

    model_config = SettingsConfigDict(
        env_prefix="FACEREC_",
        env_file=".env",
        extra="ignore",
        hide_input_in_errors=True,
        validate_by_name=True,
    )

    # Storage
    data_dir: Path = Field(Path("./data"), description="Folder for the embedded SQLite database.")
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL (mysql+pymysql://user:password@host/db); unset means SQLite in "
        "data_dir.",
    )
    db_pool_size: int = Field(5, ge=1, description="Connection pool size (MySQL).")
    db_max_overflow: int = Field(10, ge=0, description="Extra connections beyond the pool (MySQL).")

    # Models
    model_pack: str = Field(
        "bundled",
        description="Model pack: bundled, buffalo_l, buffalo_s, buffalo_sc or antelopev2 "
        "(docs/deployment.md).",
    )
    models_dir: Path = Field(
        Path("./models"), description="Where packs are looked up and cached (<dir>/<pack>/)."
    )
    model_download: bool = Field(True, description="Download a missing pack when it is asked for.")
    model_base_url: str = Field(
        "https://github.com/deepinsight/insightface/releases/download/v0.7",
        description="Where InsightFace's packs are downloaded from (<url>/<pack>.zip; a mirror works).",
    )
    providers: StringList = Field(
        default_factory=lambda: ["CPUExecutionProvider"],
        description="ONNX Runtime execution providers in order of preference, e.g. "
        "CUDAExecutionProvider,CPUExecutionProvider; one the installed onnxruntime lacks is an error.",
    )
    intra_op_threads: int = Field(
        1,
        ge=0,
        description="ONNX Runtime threads per operator (0 = one per core). 1 serves the most "
        "requests per second: the workers already run requests side by side; 0 gives the lowest "
        "latency to one request at a time on an otherwise idle machine.",
    )
    inter_op_threads: int = Field(1, ge=0, description="ONNX Runtime threads across ops.")
    intra_op_spinning: bool = Field(
        False,
        description="Let idle ONNX Runtime threads busy-wait for work (only matters with "
        "intra_op_threads other than 1): faster alone, slower when requests run side by side.",
    )
    blas_threads: int = Field(
        1,
        ge=0,
        validation_alias=AliasChoices("FACEREC_BLAS_THREADS", "OPENBLAS_NUM_THREADS"),
        description="Threads of numpy's BLAS (the index's matrix-vector products), set when the "
        "engine starts; 0 leaves BLAS its own choice. Read from OPENBLAS_NUM_THREADS when "
        "FACEREC_BLAS_THREADS is unset. One serves best: the product is memory-bound, and BLAS "
        "threads that wait for a busy core stall searches.",
    )
    det_size_px: int = Field(
        640,
        ge=128,
        description="Detector input size (px): the square's side (letterbox) or the longest side "
        "(fitted).",
    )
    det_sizing: Literal["fitted", "letterbox"] = Field(
        "fitted",
        description="fitted: the photo at its own size (scaled down to det_size_px when larger), "
        "padded to a multiple of 32; letterbox: every photo scaled into a det_size_px square, as "
        "InsightFace does (slower on small photos; embeddings equal to FaceAnalysis's).",
    )
    decode_reduced: bool = Field(
        True,
        description="Decode a large JPEG at 1/2, 1/4 or 1/8 of its size (still at least "
        "det_size_px on its longer side) for detection; a face is aligned from the full "
        "resolution only when the reduced copy holds fewer of its pixels than the crop. false decodes every "
        "photo whole.",
    )
    det_score_min: float = Field(0.5, ge=0.0, le=1.0, description="Detector score cut-off.")
    det_nms_iou: float = Field(0.4, gt=0.0, le=1.0, description="Detector NMS IoU threshold.")
    pad_retry_ratio: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        description="Padding added on each side (a fraction of the photo's size) for a retry when no "
        "face is found: finds faces that fill the frame (0 turns this off).",
    )
    orientation_check_below: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="When the main face scores below this, or no face is found, also try the photo "
        "turned by 90/180/270 degrees (0 turns this off).",
    )

    # Recognition
    threshold: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity threshold for verify, identify, enrollment's duplicate check and "
        "attendance; unset means the model pack's own (bundled: 0.30, docs/accuracy.md).",
    )
    review_band: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Width of the confirmation band below the threshold (needs_review); unset means "
        "the model pack's own (its FAR 1% point; bundled: 0.05).",
    )
    review_margin: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="needs_review when the second-best person is within this of the best.",
    )
    top_k_max: int = Field(50, ge=1, description="Largest top_k a request may ask for.")
    index_sync_interval_s: float = Field(
        0.0,
        ge=0.0,
        description="How often a process looks for other processes' writes before a search (one "
        "primary-key range query); 0 looks before every search.",
    )
    index_sync_window_s: float = Field(
        30.0,
        ge=1.0,
        description="A change id that a look skipped over (its transaction not committed yet) is "
        "asked for again at every look for this long, for transactions that commit out of order.",
    )
    index_kind: Literal["exact", "approximate", "auto"] = Field(
        "auto",
        description="1:N search: exact (every face compared), approximate (a scan of each face's "
        "short binary code picks index_candidates faces, whose exact cosine then ranks the "
        "people: the same scores, but a person none of whose faces is among them is missed), or "
        "auto (exact below index_approximate_from faces, approximate from there on).",
    )
    index_approximate_from: int = Field(
        100_000,
        ge=0,
        description="With index_kind auto, the number of faces from which search is approximate. "
        "Below it exact search costs little and stays exact for strangers too (the search times "
        "behind the default: docs/performance.md).",
    )
    index_code_bits: int = Field(
        512,
        ge=64,
        multiple_of=64,
        description="Bits of each face's code for approximate search (64 bytes a face at 512): "
        "more bits rank the candidates better and take longer to scan and to make.",
    )
    index_candidates: int = Field(
        512,
        ge=1,
        description="Faces, nearest by code, whose exact cosine approximate search computes (at "
        "least 8 per person asked for); more find weaker matches and take longer.",
    )

    # Attendance and logs
    timezone: str | None = Field(
        None,
        description="IANA time zone (e.g. Europe/Berlin) that decides today's attendance date; unset "
        "means the server's local time.",
    )
    log_retention_days: int = Field(
        90,
        ge=0,
        description="Delete recognition logs older than this many days (0 keeps them all).",
    )
    log_prune_interval_s: int = Field(
        3600, ge=60, description="How often a running server deletes expired recognition logs."
    )
    max_batch_bytes: int = Field(
        512 * 1024 * 1024, ge=1024, description="Largest bulk-enrollment upload (bytes); 413 above."
    )
    max_batch_files: int = Field(5000, ge=1, description="Most photos in one bulk enrollment.")

    # Enrollment quality gate (docs/accuracy.md has the figures behind each default)
    quality_min_face_px: float = Field(60.0, ge=0.0, description="Shorter side of the face box.")
    quality_min_det_score: float = Field(0.55, ge=0.0, le=1.0, description="Detector score.")
    quality_min_sharpness: float = Field(
        40.0, ge=0.0, description="Variance of the Laplacian of the aligned face."
    )
    quality_min_brightness: float = Field(50.0, ge=0.0, le=255.0, description="Mean grey level.")
    quality_max_brightness: float = Field(220.0, ge=0.0, le=255.0, description="Mean grey level.")
    quality_max_yaw_deg: float = Field(45.0, ge=0.0, le=180.0, description="Head turned sideways.")
    quality_max_pitch_deg: float = Field(50.0, ge=0.0, le=180.0, description="Head up or down.")
    quality_max_other_face_ratio: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Refuse when another face is at least this fraction of the enrolled face's size.",
    )

    # Images
    max_image_bytes: int = Field(
        15 * 1024 * 1024, ge=1024, description="Largest photo (bytes); 413 above."
    )
    max_image_pixels: int = Field(40_000_000, ge=10_000, description="Largest image (pixels).")

    # Server
    workers: int = Field(4, ge=1, description="Threads for inference and database work.")
    host: str = Field("127.0.0.1", description="Address `facerec serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `facerec serve` listens on.")
    api_keys: SecretList = Field(
        default_factory=list,
        description="Keys accepted in the X-API-Key header; when set, every /v1 route needs one.",
    )
    cors_origins: StringList = Field(default_factory=list, description="Allowed CORS origins.")
    log_level: str = Field("INFO", description="Logging level.")
    http_parser: Literal["auto", "httptools", "h11"] = Field(
        "auto",
        description="uvicorn's HTTP parser for `facerec serve`: auto is httptools (C, installed "
        "with facerec) when it can be imported, else h11 (pure Python).",
    )
    event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        "auto",
        description="The event loop of `facerec serve`: auto is uvloop (installed with facerec "
        "except on Windows) when it can be imported, else asyncio's own.",
    )
    access_log: bool = Field(
        True,
        description="One log line per request (uvicorn's access log, at INFO); off saves the "
        "server a little CPU a request.",
    )

    @field_validator("providers", "cors_origins", "api_keys", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value or None

    def sqlalchemy_url(self) -> SecretStr:
        """The database URL in use: the configured one, or the embedded SQLite file. Secret, as it
        may hold a password: ``get_secret_value()`` where the engine is built, nowhere else."""
        if self.database_url is not None and self.database_url.get_secret_value():
            return self.database_url
        return SecretStr(f"sqlite:///{(self.data_dir / 'facerec.db').resolve()}")

    def server_stack(self) -> tuple[str, str]:
        """The HTTP parser and the event loop `facerec serve` runs: the configured ones, ``auto``
        being the C ones (httptools, uvloop) where they are installed."""
        parser, loop = self.http_parser, self.event_loop
        if parser == "auto":
            parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
        if loop == "auto":
            loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
        return parser, loop
