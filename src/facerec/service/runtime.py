"""The running service's parts, wired together once: settings, face engine, database, index.

``Runtime`` is built at start-up by ``start_runtime`` (verify and load the models, upgrade the
schema, fill the index from the database, warm up) and shared by every request. It is thread-safe
because each part is: the engine and index say how in their docstrings, and the database hands each
unit of work its own session.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from facerec.config import Settings
from facerec.engine.models import ensure_pack, get_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions
from facerec.index.factory import SearchIndex, make_index
from facerec.service.index_sync import IndexSync
from facerec.service.recognizer import Recognizer
from facerec.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The composition root: each service function takes the parts of it that it uses."""

    settings: Settings
    engine: FaceEngine
    database: Database
    index: SearchIndex
    sync: IndexSync  # keeps ``index`` equal to the database, other processes' writes included
    recognizer: Recognizer = field(init=False)  # the parts above that recognising uses

    def __post_init__(self) -> None:
        self.recognizer = Recognizer(
            settings=self.settings,
            engine=self.engine,
            database=self.database,
            index=self.index,
            sync=self.sync,
        )

    def close(self) -> None:
        self.sync.close()
        self.database.dispose()


def load_engine(settings: Settings, *, show_progress: bool = False) -> FaceEngine:
    pack = get_pack(settings.model_pack)
    files = ensure_pack(
        pack,
        models_dir=settings.models_dir,
        base_url=settings.model_base_url,
        allow_download=settings.model_download,
        show_progress=show_progress,
    )
    return FaceEngine(
        files,
        SessionOptions(
            providers=tuple(settings.providers),
            intra_op_threads=settings.intra_op_threads,
            inter_op_threads=settings.inter_op_threads,
            spin=settings.intra_op_spinning,
            blas_threads=settings.blas_threads,
        ),
        DetectionOptions(
            size_px=settings.det_size_px,
            sizing=settings.det_sizing,
            score_min=settings.det_score_min,
            nms_iou=settings.det_nms_iou,
            pad_retry_ratio=settings.pad_retry_ratio,
            orientation_check_below=settings.orientation_check_below,
        ),
    )


def open_database(settings: Settings) -> Database:
    database = Database(
        settings.sqlalchemy_url().get_secret_value(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    database.migrate()
    return database


def start_runtime(
    settings: Settings, *, show_progress: bool = False, engine: FaceEngine | None = None
) -> Runtime:
    """Start the service's parts for ``settings``. ``engine``, when given, is one already loaded for
    these settings (the tests share one between the apps they start); otherwise the models are
    verified and loaded here."""
    started = time.perf_counter()
    engine = engine or load_engine(settings, show_progress=show_progress)
    engine.warm_up()
    database = open_database(settings)
    index = make_index(settings, model_pack=engine.pack.name, dimension=engine.dimension)
    sync = IndexSync(
        database=database,
        index=index,
        model_pack=engine.pack.name,
        interval_s=settings.index_sync_interval_s,
        window_s=settings.index_sync_window_s,
    )
    runtime = Runtime(settings=settings, engine=engine, database=database, index=index, sync=sync)
    count = sync.load()
    if settings.threshold is None and not engine.pack.threshold_measured:
        log.warning(
            "the default threshold of %s (%.2f) was %s",
            engine.pack.name,
            engine.pack.default_threshold,
            engine.pack.calibration,
        )
    log.info(
        "ready in %.1f s: pack %s on %s, %d faces indexed, database %s",
        time.perf_counter() - started,
        engine.pack.name,
        engine.provider,
        count,
        database.display_url,
    )
    return runtime
