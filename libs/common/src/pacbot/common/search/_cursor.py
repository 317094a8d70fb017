"""Opaque paging cursors: the sort values of the last hit, base64-encoded JSON.

A cursor remembers which sort it was issued for, so continuing a listing with a different
sort is a clear error instead of a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


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
    """The sort values inside ``cursor``; a cursor of another sort, or garbage, is an error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise SearchQueryError("not a cursor this search returned", field="cursor") from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), list):
        raise SearchQueryError("not a cursor this search returned", field="cursor")
    values: list[Any] = data["v"]
    if len(values) != 2 or not isinstance(values[1], str):
        raise SearchQueryError("not a cursor this search returned", field="cursor")
    if not isinstance(values[0], str | int | float) or isinstance(values[0], bool):
        raise SearchQueryError("not a cursor this search returned", field="cursor")
    if (data.get("s"), data.get("o")) != (sort, order):
        raise SearchQueryError(
            f"cursor was issued for sort={data.get('s')} order={data.get('o')}, "
            f"not sort={sort} order={order}",
            field="cursor",
        )
    return values
