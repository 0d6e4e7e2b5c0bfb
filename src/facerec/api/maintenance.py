"""Work a running server does on its own, beside the requests: deleting expired recognition logs, and
the IndexChanges rows every process has long applied.

The lifespan starts ``prune_logs_periodically`` in its task group, with the service's
``prune_expired`` bound to the runtime's database and settings, and cancels it at shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio

from facerec.errors import FacerecError

log = logging.getLogger(__name__)


async def prune_logs_periodically(prune: Callable[[], object], *, interval_s: float) -> None:
    """Run ``prune`` now, then every ``interval_s`` seconds, until cancelled.

    The prune runs in a worker thread of its own (anyio's default pool), not the request pool, so
    that a long first prune never takes a worker from the requests. A failed prune is logged and
    tried again at the next interval: retention is not worth stopping the server for.
    Cancellation waits for a prune under way to finish (each chunk commits on its own)."""
    while True:
        try:
            await anyio.to_thread.run_sync(prune)
        except FacerecError as exc:  # e.g. the database is unreachable for a while
            log.warning(
                "pruning recognition logs failed (%s); trying again in %.0f s",
                exc.message,
                interval_s,
            )
        except Exception:  # a bug: said loudly, with its traceback, but the server keeps serving
            log.exception("pruning recognition logs failed; trying again in %.0f s", interval_s)
        await anyio.sleep(interval_s)
