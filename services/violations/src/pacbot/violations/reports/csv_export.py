"""Violations as CSV (RFC 4180): a header row, then one quoted-as-needed line per violation.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return) are prefixed with ``'`` (OWASP's CSV-injection advice): tags, reasons and
names come from cloud resources anyone with write access can label.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Any

from pacbot.violations.lifecycle.repository import ViolationRecord
from pacbot.violations.models import as_utc

COLUMNS = (
    "violation_id",
    "status",
    "severity",
    "category",
    "policy_id",
    "policy_name",
    "asset_id",
    "asset_name",
    "resource_type",
    "account_id",
    "region",
    "owner",
    "tags",
    "reason",
    "close_reason",
    "exception_id",
    "episode",
    "opened_at",
    "updated_at",
    "closed_at",
    "age_days",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024  # bytes of CSV gathered before a chunk is sent


def neutralised(value: str) -> str:
    """``value`` made inert for spreadsheets (see the module docstring)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell(value: Any) -> str:
    """One CSV cell: empty for None, ISO 8601 UTC for a moment, else inert text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return neutralised(str(value))


def csv_row(row: ViolationRecord, now: datetime) -> list[str]:
    """One violation's cells, in :data:`COLUMNS` order; tags as ``k=v`` joined by ``;``."""
    age = (now - as_utc(row.opened_at)).total_seconds() / 86400
    values: dict[str, Any] = {name: getattr(row, name, None) for name in COLUMNS}
    values["tags"] = ";".join(f"{k}={v}" for k, v in sorted((row.tags or {}).items()))
    values["age_days"] = f"{age:.3f}"
    return [cell(values[name]) for name in COLUMNS]


async def csv_lines(
    batches: AsyncIterable[list[ViolationRecord]], now: datetime
) -> AsyncIterator[str]:
    """The header, then the rows, as text chunks of about :data:`CHUNK` bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    async for batch in batches:
        for row in batch:
            writer.writerow(csv_row(row, now))
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
