"""Opaque paging cursors: the sort values of the last hit, base64-encoded JSON.

A cursor remembers which sort it was issued for, so continuing a listing with a different
sort is a clear error instead of a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import datetime
from typing import Any

MAX_TEXT = 2048  # longer than any asset id, name, account or region
MAX_MILLIS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant a date holds


class SearchQueryError(ValueError):
    """A search request the backends cannot answer; ``field`` names the offending parameter."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


def encode_cursor(sort: str, order: str, values: list[Any]) -> str:
    """The cursor that continues after a hit with these sort values."""
    raw = json.dumps({"s": sort, "o": order, "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, order: str) -> list[Any]:
    """The sort values inside ``cursor``; a cursor of another sort, or garbage, is an error.

    A cursor comes back from the client, so it is checked as untrusted input: each value must
    have the type and range its sort field can hold, or the backend would fail on it.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError, RecursionError) as exc:
        raise _invalid() from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), list):
        raise _invalid()
    if (data.get("s"), data.get("o")) != (sort, order):
        raise SearchQueryError(
            f"cursor was issued for sort={data.get('s')!s:.40} order={data.get('o')!s:.10}, "
            f"not sort={sort} order={order}",
            field="cursor",
        )
    values: list[Any] = data["v"]
    if len(values) != 2 or not _is_text(values[1]) or not _fits(sort, values[0]):
        raise _invalid()
    return values


def _invalid() -> SearchQueryError:
    return SearchQueryError(
        "not a cursor this search returned; start again without a cursor", field="cursor"
    )


def _is_text(value: Any) -> bool:
    """A string a backend can store and compare: bounded, UTF-8, no NUL."""
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits(sort: str, value: Any) -> bool:
    """True when ``value`` is something ``sort`` can hold (both backends' forms)."""
    if sort == "relevance":  # OpenSearch's float _score, or the fallback's small int
        return _is_number(value) and math.isfinite(value)
    if sort == "updated_at":  # OpenSearch's epoch millis, or the fallback's ISO text
        if _is_number(value):
            return isinstance(value, int) and 0 <= value <= MAX_MILLIS
        return _is_text(value) and _is_moment(value)
    return _is_text(value)


def _is_moment(text: str) -> bool:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.tzinfo is not None
