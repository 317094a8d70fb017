"""One paging contract for every list, and the bounds on list parameters.

A list takes ``limit`` (bounded per list) and ``cursor`` (opaque: the previous page's
``next_cursor``) and answers ``{"items": [...], "next_cursor": str | null, ...}``; the cursor is
null on the last page. A cursor is urlsafe base64 of a small JSON: the position (an offset, or a
keyset list's last sort values) and a short fingerprint of the query that made it, so a cursor
reused with other filters or another sort is a 400 ("the cursor belongs to another query"), and
garbage or a forged position is a 400 too, never a 500. ``offset`` stays as a deprecated alias;
a cursor and an offset together are a 400.

Bounds: a database integer is 64 bits and a ``timedelta`` spans about 2.7 million days: an
offset of 2**63 or an age of ``1e6`` days used to reach them and fail. Every list declares its
paging through :func:`paging` and its day counts through :func:`days`, one bound per project.

No ``from __future__ import annotations`` here: :func:`paging` builds its parameters from its
arguments, and FastAPI reads them from live annotations.
"""

import base64
import binascii
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

from pacbot.common.web import DomainError

MAX_OFFSET = 10_000_000
MAX_LIMIT = 1000  # the largest page any list serves
MAX_POSITION = MAX_OFFSET + MAX_LIMIT  # where a cursor can point: an offset, plus one page
MAX_CURSOR = 4096  # characters; a cursor made here is a few hundred at most
MAX_DAYS = 36_500  # a century: further back than any cloud asset, well inside timedelta

T = TypeVar("T")


class InvalidCursor(DomainError):
    """A cursor this API did not make, or made for another query (400, ``field: "cursor"``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="cursor")

    @classmethod
    def garbage(cls) -> "InvalidCursor":
        """Not a cursor at all, or one whose position was tampered with."""
        return cls("not a cursor this listing returned; start again without a cursor")


def _canonical(value: Any) -> Any:
    """``value`` with dataclasses as dicts, unset filters dropped and collections sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        kept = {str(k): _canonical(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def fingerprint(listing: str, query: Any = None) -> str:
    """A short digest of a list's name and its query (filters, sort, path parameters).

    Repeated values of one filter are a set: their order does not change the fingerprint.
    """
    canonical = json.dumps(
        [listing, _canonical(query)], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(mark: str, position: Any) -> str:
    """The opaque cursor that continues query ``mark`` (a :func:`fingerprint`) at ``position``."""
    raw = json.dumps({"q": mark, "p": position}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, mark: str) -> Any:
    """The position inside ``cursor``; garbage, or a cursor of another query, is a 400.

    The position is still the client's word: its caller checks its type and range.
    """
    if len(cursor) > MAX_CURSOR:
        raise InvalidCursor.garbage()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeError, RecursionError) as exc:
        raise InvalidCursor.garbage() from exc
    if not isinstance(payload, dict) or "p" not in payload or not isinstance(payload.get("q"), str):
        raise InvalidCursor.garbage()
    if payload["q"] != mark:
        raise InvalidCursor("the cursor belongs to another query; start again without a cursor")
    return payload["p"]


@dataclass(frozen=True)
class Window:
    """One page of an offset list: where it starts, its size, and which query it belongs to."""

    start: int
    limit: int
    mark: str

    @property
    def fetch(self) -> int:
        """Rows to read from ``start``: the one past the page tells whether another follows."""
        return self.limit + 1

    def page(self, rows: Sequence[T]) -> tuple[list[T], str | None]:
        """The page out of the ``fetch`` rows read from ``start``, and the next page's cursor."""
        more = len(rows) > self.limit
        cursor = encode_cursor(self.mark, self.start + self.limit) if more else None
        return list(rows[: self.limit]), cursor

    def of(self, everything: Sequence[T]) -> tuple[list[T], str | None]:
        """This page of a list held whole, and the next page's cursor."""
        return self.page(everything[self.start : self.start + self.fetch])


@dataclass(frozen=True)
class PageRequest:
    """What a caller asked of a list: a page size, and a cursor or (deprecated) an offset."""

    limit: int
    cursor: str | None = None
    offset: int | None = None
    limit_given: bool = False

    def window(self, listing: str, query: Any = None) -> Window:
        """Where this page of an offset list starts; a cursor of another query is a 400."""
        mark = fingerprint(listing, query)
        if self.cursor is None:
            return Window(self.offset or 0, self.limit, mark)
        position = decode_cursor(self.cursor, mark)
        if type(position) is not int or not 0 <= position <= MAX_POSITION:
            raise InvalidCursor.garbage()
        return Window(position, self.limit, mark)

    def position(self, mark: str) -> Any:
        """A keyset list's position from the cursor (None without one), checked against ``mark``."""
        return None if self.cursor is None else decode_cursor(self.cursor, mark)


def paging(default: int, maximum: int, *, max_offset: int = MAX_OFFSET) -> Any:
    """A list's ``limit``, ``cursor`` and deprecated ``offset`` parameters, as one dependency."""
    if not 1 <= default <= maximum <= MAX_LIMIT:
        raise ValueError(f"a page holds 1 to {MAX_LIMIT} items; got {default} of {maximum}")

    def page_request(
        limit: Annotated[
            int | None,
            Query(ge=1, le=maximum, description=f"page size, 1 to {maximum} (default {default})"),
        ] = None,
        cursor: Annotated[
            str | None, Query(description="the previous page's next_cursor (opaque)")
        ] = None,
        offset: Annotated[
            int | None,
            Query(
                ge=0,
                le=max_offset,
                deprecated=True,
                description=f"rows to skip (0 to {max_offset:,}); use cursor instead",
            ),
        ] = None,
    ) -> PageRequest:
        if cursor and offset is not None:
            raise InvalidCursor("use either offset or cursor, not both")
        return PageRequest(limit or default, cursor or None, offset, limit is not None)

    return Depends(page_request)


Paging = Annotated[PageRequest, paging(100, MAX_LIMIT)]
"""A list of at most 1000 items a page, 100 unless asked."""


def days(description: str = "") -> Any:
    """A finite, non-negative day count of at most :data:`MAX_DAYS` (``nan``/``inf`` refused)."""
    bound = f"0 to {MAX_DAYS:,} days"
    return Query(
        ge=0,
        le=MAX_DAYS,
        allow_inf_nan=False,
        description=f"{description} ({bound})" if description else bound,
    )
