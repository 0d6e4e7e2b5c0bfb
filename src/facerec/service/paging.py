"""One page of any list the store can query: the query runs in a session of its own with the page's
limit and offset, and its rows and total become a ``Page``. Imports the store's Database only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from facerec.domain import Page, Paging
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
    with database.session() as session:
        found, total = query(session, **filters, limit=paging.limit, offset=paging.offset)
    return Page.of(found, total, paging)
