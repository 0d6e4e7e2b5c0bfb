"""``facerec logs``: read and prune the recognition logs.

These open the database only (``open_database``), never the models: they work on a machine without
the model pack, and start in a moment.
"""

from __future__ import annotations

from datetime import datetime

import typer

from facerec.cli.common import app, domain_errors, load_settings, print_json, with_database
from facerec.domain import LogOperation, LogResult, Paging
from facerec.errors import InvalidInput

logs_app = typer.Typer(help="Read and prune the recognition logs.", no_args_is_help=True)
app.add_typer(logs_app, name="logs")

TIME_HELP = "ISO 8601, e.g. 2025-03-01T08:00:00+01:00 (no time zone: UTC)"


@logs_app.command("list")
def logs_list(
    operation: LogOperation | None = typer.Option(None),
    result: LogResult | None = typer.Option(
        None, help="e.g. match, needs_review, unknown, enrolled, no_face_found"
    ),
    person_type: str | None = typer.Option(None, help="student or teacher"),
    person_id: str | None = typer.Option(None, help="Needs --person-type"),
    client: str | None = typer.Option(None, help="The caller's address, or cli"),
    since: str | None = typer.Option(None, help=f"From this time on; {TIME_HELP}"),
    until: str | None = typer.Option(None, help=f"Before this time; {TIME_HELP}"),
    limit: int = typer.Option(100, help="At most this many (1 to 1000)"),
    offset: int = typer.Option(0, help="Skip this many"),
) -> None:
    """Print the recognition logs, newest first, as JSON (the shape of GET /v1/logs)."""
    from facerec.service import logs
    from facerec.views import Log, Page

    with domain_errors():
        filters = logs.log_filters(
            operation=operation,
            result=result,
            person_type=person_type,
            person_id=person_id,
            client=client,
            since=_time(since, "since"),
            until=_time(until, "until"),
        )
    page = with_database(logs.list_logs, filters=filters, paging=Paging(limit=limit, offset=offset))
    print_json(Page[Log].of(page, Log.of).model_dump(mode="json"))


@logs_app.command("prune")
def logs_prune() -> None:
    """Delete the logs older than FACEREC_LOG_RETENTION_DAYS (0 keeps them all).

    A running server does this itself at start-up and every FACEREC_LOG_PRUNE_INTERVAL_S."""
    from facerec.service import logs

    deleted = with_database(logs.prune_logs, settings=load_settings())
    print_json({"deleted": deleted})


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 time ({TIME_HELP})") from None
