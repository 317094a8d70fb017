"""Streams that fail loudly: a failed export must never look like an empty or a short one.

- :func:`started` runs the first query before the response starts, so a query that fails
  is a 500 problem instead of a 200 with no rows.
- :func:`aborting` logs a stream that fails after its first bytes went out and raises on;
  every middleware on the way is pure ASGI and lets it through, so the server drops the
  connection: the client gets an incomplete transfer (no terminating chunk), never a file
  that merely looks complete.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TypeVar

log = logging.getLogger("pacbot.violations.exports")

T = TypeVar("T")


async def started(items: AsyncIterator[T]) -> AsyncIterator[T]:
    """``items`` with its first element already read: a failure raises here, before any byte."""
    first = await anext(items, None)

    async def replay() -> AsyncIterator[T]:
        if first is None:
            return
        yield first
        async for item in items:
            yield item

    return replay()


async def aborting(chunks: AsyncIterator[str], what: str) -> AsyncIterator[str]:
    """``chunks``; a failure is logged and raised on, so the server aborts the transfer."""
    try:
        async for chunk in chunks:
            yield chunk
    except Exception:
        log.error("%s failed mid-stream; aborting the transfer", what)
        raise
