"""The one JSON shape of every list: ``items``, ``total``, ``limit`` and ``offset``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Self, TypeVar

from pydantic import BaseModel, Field

from facerec import domain

Item = TypeVar("Item", bound=BaseModel)
Found = TypeVar("Found")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int = Field(description="How many items pass the filters, on every page")
    limit: int = Field(description="At most this many items per page")
    offset: int = Field(description="Items skipped before this page")

    @classmethod
    def of(cls, page: domain.Page[Found], render: Callable[[Found], Item]) -> Self:
        return cls(
            items=[render(item) for item in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )
