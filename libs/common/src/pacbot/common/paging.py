"""Bounds on list parameters, so an absurd value is a 422 naming it, never a 500.

A database integer is 64 bits and a ``timedelta`` spans about 2.7 million days: an offset of
2**63 or an age of ``1e6`` days used to reach them and fail. Every list endpoint declares its
paging and day-count parameters through these aliases, one bound for the whole project.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

MAX_OFFSET = 10_000_000
MAX_DAYS = 36_500  # a century: further back than any cloud asset, well inside timedelta

Offset = Annotated[
    int,
    Query(ge=0, le=MAX_OFFSET, description=f"rows to skip (0 to {MAX_OFFSET:,})"),
]


def days(description: str = "") -> Any:
    """A finite, non-negative day count of at most :data:`MAX_DAYS` (``nan``/``inf`` refused)."""
    bound = f"0 to {MAX_DAYS:,} days"
    return Query(
        ge=0,
        le=MAX_DAYS,
        allow_inf_nan=False,
        description=f"{description} ({bound})" if description else bound,
    )
