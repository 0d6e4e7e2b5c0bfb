"""One page of any list the store can query: the paging is checked, the query runs in a session of
its own with the page's limit and offset, and its rows and total become a ``Page``. Imports the
store's Database only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from facerec.domain import PAGE_LIMIT_MAX, Page, Paging
from facerec.errors import InvalidInput
from facerec.store.db import Database

Row = TypeVar("Row")


def paged(
    database: Database,
    paging: Paging,
    query: Callable[..., tuple[list[Row], int]],
    /,
    **filters: Any,
) -> Page[Row]:
    """``query(session, **filters, limit=..., offset=...)``'s rows and total, as one page."""
    if not 1 <= paging.limit <= PAGE_LIMIT_MAX:
        raise InvalidInput(f"limit must be between 1 and {PAGE_LIMIT_MAX}")
    if paging.offset < 0:
        raise InvalidInput("offset must be 0 or more")
    with database.session() as session:
        found, total = query(session, **filters, limit=paging.limit, offset=paging.offset)
    return Page.of(found, total, paging)
