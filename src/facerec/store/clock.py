"""The time the store writes: naive UTC, the form both SQLite and MySQL DATETIME columns store."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
