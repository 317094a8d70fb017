"""Figures computed the slow way, reused until the data under them changes.

Every transaction that changes results or violations bumps ``tally_state.changes`` (see
``aggregates.maintenance``); an entry is served while the counter still has the value it had
before the entry was computed, so a hit never misses a committed change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.aggregates.maintenance import STATE_ID
from pacbot.violations.models import TallyState

T = TypeVar("T")
FIGURES_CACHE = "pacbot.violations.figures_cache"


async def change_counter(session: AsyncSession) -> int | None:
    """The tallies' change counter (None before the first build)."""
    return await session.scalar(select(TallyState.changes).where(TallyState.id == STATE_ID))


class FiguresCache:
    """A bounded, least-recently-used map of figures, each valid for one change counter."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def get(self, session: AsyncSession, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        """The cached figures of ``key``, or ``compute()``'s (then cached)."""
        version = await change_counter(session)
        entry = self._entries.get(key)
        if version is not None and entry is not None and entry[0] == version:
            self._entries.move_to_end(key)
            self.hits += 1
            value: T = entry[1]
            return value
        self.misses += 1
        value = await compute()
        if version is not None:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
