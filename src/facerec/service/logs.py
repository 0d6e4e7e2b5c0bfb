"""Use cases on the recognition logs: read them page by page, and delete those past retention.

Both need the database and the settings only, never the models, so they take a ``Database`` rather
than a ``Runtime``: ``facerec logs`` runs them without loading a model pack, and a server runs the
prune on a timer beside its requests. Imports the store; nothing of the web.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from facerec.config import Settings
from facerec.domain import LogOperation, LogRecord, LogResult, Page, Paging
from facerec.errors import InvalidInput
from facerec.service.faces import person_filter
from facerec.service.paging import paged
from facerec.store import logs
from facerec.store.clock import utcnow
from facerec.store.db import Database
from facerec.store.logs import LogFilters

log = logging.getLogger(__name__)

PRUNE_CHUNK_ROWS = 10_000
CLIENT_MAX_CHARS = 64


def list_logs(database: Database, *, filters: LogFilters, paging: Paging) -> Page[LogRecord]:
    """One page of the logs that pass ``filters`` (see ``log_filters``), newest first, and their
    total."""
    return paged(database, paging, logs.query_logs, filters=filters)


def prune_logs(
    database: Database,
    settings: Settings,
    *,
    now: datetime | None = None,
    chunk_rows: int = PRUNE_CHUNK_ROWS,
) -> int:
    """Delete the logs older than ``settings.log_retention_days`` days (0 keeps them all); returns
    how many went.

    Each chunk of ``chunk_rows`` is its own transaction, so that a first prune of a big table never
    holds locks or an undo log for long, and a failure part-way keeps what was already done."""
    days = settings.log_retention_days
    if days == 0:
        return 0
    cutoff = as_utc(now or utcnow()) - timedelta(days=days)
    deleted = 0
    while True:
        with database.session() as session:
            chunk = logs.delete_older_than(session, cutoff=cutoff, limit=chunk_rows)
        deleted += chunk
        if chunk < chunk_rows:
            break
    if deleted:
        log.info("deleted %d recognition logs older than %d days", deleted, days)
    return deleted


def as_utc(moment: datetime) -> datetime:
    """``moment`` as the store keeps times: naive UTC. A naive ``moment`` is taken as UTC already."""
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 falls before year 1 in UTC
        raise InvalidInput(f"{moment.isoformat()} is out of range") from None


def log_filters(
    *,
    operation: LogOperation | None = None,
    result: LogResult | None = None,
    person_type: str | None = None,
    person_id: str | None = None,
    client: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    min_similarity: float | None = None,
    max_similarity: float | None = None,
) -> LogFilters:
    """Validated filters from a request's values. ``since`` (inclusive) and ``until`` (exclusive)
    may carry a time zone, converted to UTC; without one they are taken as UTC, the time the logs
    are stored in."""
    if client is not None and not 1 <= len(client) <= CLIENT_MAX_CHARS:
        raise InvalidInput(f"client must be 1 to {CLIENT_MAX_CHARS} characters")
    kind = person_filter(person_type, person_id).person_type
    since = as_utc(since) if since is not None else None
    until = as_utc(until) if until is not None else None
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since must be before until")
    for name, bound in (("min_similarity", min_similarity), ("max_similarity", max_similarity)):
        if bound is not None and not -1.0 <= bound <= 1.0:  # NaN fails too
            raise InvalidInput(f"{name} must be between -1 and 1")
    if (
        min_similarity is not None
        and max_similarity is not None
        and min_similarity > max_similarity
    ):
        raise InvalidInput("min_similarity must not be above max_similarity")
    return LogFilters(
        operation=operation,
        result=result,
        person_type=kind,
        person_id=person_id,
        client=client,
        since=since,
        until=until,
        min_similarity=min_similarity,
        max_similarity=max_similarity,
    )
