"""Per-caller rate limit: a token bucket per key or subject, in this replica's memory.

Each replica limits on its own, so N replicas admit up to N times the rate; the limit is there to
stop a runaway script, not to meter usage.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

MAX_TRACKED = 10_000


class RateLimiter:
    """``per_minute`` calls a minute per caller, with bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, caller: str, now: float | None = None) -> float:
        """Spend one call for ``caller``; 0 when allowed, else seconds until one is free."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[caller] = (tokens, now)
        while len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    """``Retry-After`` in whole seconds (at least 1)."""
    return str(max(1, math.ceil(wait)))
