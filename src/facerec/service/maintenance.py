"""Housekeeping a running server does beside its requests: delete the recognition logs past retention
and the IndexChanges rows every process has long applied.

Imports the store through the log and index-sync use cases; nothing of the web.
"""

from __future__ import annotations

from facerec.config import Settings
from facerec.service.index_sync import prune_changes
from facerec.service.logs import prune_logs
from facerec.store.db import Database


def prune_expired(database: Database, settings: Settings) -> None:
    """Delete what has expired: logs older than the retention, then stale IndexChanges rows."""
    prune_logs(database, settings)
    prune_changes(database)
