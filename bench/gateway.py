"""Front-door benchmark: what authentication, the access table and the signed internal token cost.

Three numbers, on one core of this machine:
1. the credential checks alone: API key verification (one indexed read + SHA-256, SQLite) and an
   internal token minted and verified (HS256), per second;
2. a read through the whole gateway (API key, access table, rate limit, token, audit middleware,
   forward) against the same read made straight to the service with a token, in-process (ASGI),
   so the difference is the front door's own cost per call.
Run with `make bench-gateway`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import Figure, record
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from pacbot.common.auth import Principal
from pacbot.common.events import utcnow
from pacbot.gateway.auth import keys

CALLS = 300


async def _rate(label: str, calls: int, step: object) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await step()  # type: ignore[operator]
    rate = calls / (time.perf_counter() - started)
    print(f"  {label:<48} {rate:>10,.0f}/s")
    return rate


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pacbot-bench-gw-") as tmp:
        options = EmbeddedOptions(
            data_dir=Path(tmp), extra={"gateway": {"rate_limit_per_minute": 10_000_000}}
        )
        async with EmbeddedPacBot(options) as pacbot:
            token = await pacbot.issue_key("viewer", subject="bench@x")
            gateway = pacbot.runtime("gateway")
            print("credential checks (in-process):")

            async def verify_key() -> None:
                async with gateway.db.session() as session:
                    found, _ = await keys.verify(session, token, utcnow())
                    assert found is not None

            keyed = await _rate("API key verified", CALLS, verify_key)
            principal = Principal("bench@x", frozenset({"viewer"}), credential="key:x")

            async def mint_and_verify() -> None:
                gateway.tokens.verify(gateway.tokens.mint(principal, "assessor"), "assessor")

            minted = await _rate("internal token minted + verified", CALLS * 10, mint_and_verify)
            figures = [
                Figure("API keys verified", keyed, "/s", better="higher"),
                Figure("internal tokens minted + verified", minted, "/s", better="higher"),
            ]

            print(f"a read (GET /policies?limit=1), {CALLS} calls, latency per call:")
            async with (
                pacbot.client("gateway", key=token) as front,
                pacbot.client("assessor") as direct,
            ):
                for label, client, path in (
                    ("straight to the assessor (signed)", direct, "/policies"),
                    ("through the gateway (API key)", front, "/api/v1/policies"),
                ):
                    times = []
                    for _ in range(CALLS):
                        started = time.perf_counter()
                        response = await client.get(path, params={"limit": 1})
                        times.append(time.perf_counter() - started)
                        assert response.status_code == 200, response.text
                    times.sort()
                    p95 = times[int(len(times) * 0.95)] * 1000
                    figures.append(Figure(f"p95 read {label}", p95, "ms"))
                    print(
                        f"  {label:<40} median {statistics.median(times) * 1000:6.2f} ms, "
                        f"p95 {p95:6.2f} ms"
                    )
    # the front door's cost states no target of its own: the figures are for information
    record("gateway", figures, {"calls": CALLS})


if __name__ == "__main__":
    asyncio.run(main())
