"""The attendance CSV, one row per record: the same bytes from the API and from ``facerec report``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from facerec.domain import AttendanceRecord

COLUMNS = [
    "record_id",
    "date",
    "session_id",
    "class_name",
    "person_type",
    "person_id",
    "name",
    "status",
    "confidence",
    "source",
    "recorded_at",
    "recorded_by",
]


def csv_lines(records: Iterable[AttendanceRecord]) -> Iterator[str]:
    """The header, then one line per record. Times are UTC (ISO 8601, with a Z)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield _take(buffer)
    for r in records:
        writer.writerow(
            [
                r.record_id,
                r.session.date.isoformat(),
                r.session.session_id,
                _safe(r.session.class_name),
                r.person.person_type.value,
                r.person.person_id,
                _safe(r.name),
                r.status.value,
                "" if r.confidence is None else f"{r.confidence:.4f}",
                r.source.value,
                r.recorded_at.isoformat(timespec="seconds") + "Z",
                _safe(r.recorded_by),
            ]
        )
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _safe(text: str | None) -> str:
    """Free text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text
