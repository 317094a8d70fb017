"""Streams that fail loudly: a failed export must never look like an empty or a short one.

- :func:`started` runs the first query before the response starts, so a query that fails
  is a 500 problem instead of a 200 with no rows.
- :func:`aborting` marks the request when the stream fails after its first bytes went out,
  and :class:`WithholdEndOfAborted` (outermost, pure ASGI) then never lets the closing
  message through. Starlette's ``BaseHTTPMiddleware`` (the metrics timer) would otherwise
  finish the response cleanly after the app raised. The server sees an app that ended
  without finishing its response and drops the connection: the client gets an incomplete
  transfer (no terminating chunk), never a file that merely looks complete.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("pacbot.violations.exports")

ABORTED = "stream_aborted"  # a key of the request's state (scope["state"])
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


async def aborting(chunks: AsyncIterator[str], state: State, what: str) -> AsyncIterator[str]:
    """``chunks``; a failure marks the request aborted (so its end is withheld) and re-raises."""
    try:
        async for chunk in chunks:
            yield chunk
    except Exception:
        setattr(state, ABORTED, True)
        log.error("%s failed mid-stream; aborting the transfer", what)
        raise


class WithholdEndOfAborted:
    """Never send the closing body message of a response whose stream was aborted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_unless_aborted(message: Message) -> None:
            closing = message["type"] == "http.response.body" and not message.get("more_body")
            if closing and state.get(ABORTED):
                return
            await send(message)

        await self.app(scope, receive, send_unless_aborted)
