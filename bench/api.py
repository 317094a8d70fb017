"""Reads at scale, through the gateway with an API key: what the dashboard's pages cost.

Loads a synthetic estate (``bench.api_estate``: 100k assets over 20 accounts, >= 1M results,
>= 50k violations) into a PostgreSQL database of its own (``pacbot_bench_api``) with COPY,
rebuilds the compliance tallies with ``pacbot-violations rebuild-aggregates`` and the search
index (alias ``pacbot-bench-api-assets``, so tests' indices are untouched) with
``pacbot-inventory reindex``. Then it runs the six services as processes on that database (an
in-memory bus each: nothing reaches the shared Kafka), makes an admin key with the operator's
CLI, a viewer key and eight asset groups through the API, and measures every call sequentially
with the viewer's key: p50 and p95 of each call the landing page makes, a filtered and sorted
violations page, 50 pages followed by cursor, asset searches with facets, and CSV export rows
per second. Calls answered from a cache are also measured cold (the cache's change counter
bumped before each call). It prints a table, writes JSON (``BENCH_JSON``, default in the temp
directory), and drops the database and the index. Run with ``make bench-api``
(``BENCH_ASSETS`` default 100000, ``BENCH_SAMPLES`` default 40; ``BENCH_KEEP=1`` keeps
the database and the index for profiling).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.api_estate import ACCOUNTS, load
from bench.results import Figure, record
from pacbot.cli.devstack import DevStack, StackInfo
from tests.actors import ADMIN, Identity
from tests.services import (
    BINDIR,
    SERVICES,
    create_key,
    free_port,
    fresh_database,
    running_services,
    service_env,
)

DATABASE = "pacbot_bench_api"
SEARCH_ALIAS = "pacbot-bench-api-assets"
VIEWER = Identity("bench-viewer@example.com", ("viewer",))
GROUPS: dict[str, dict[str, Any]] = {
    "prod": {"tags": {"Environment": "prod"}},
    "staging": {"tags": {"Environment": "staging"}},
    "payments": {"tags": {"Application": ["payments", "checkout"]}},
    "finance-accounts": {"accounts": ACCOUNTS[:5]},
    "europe": {"regions": ["eu-west-1"]},
    "storage": {"resource_types": ["aws.s3.bucket", "aws.ec2.volume", "aws.efs.file_system"]},
    "prod-analytics": {"tags": {"Environment": "prod", "Application": "analytics"}},
    "team-07": {"tags": {"Owner": "team-07@example.com"}},
}
TARGET_MS = 100.0


@dataclass
class Measured:
    """One call's latencies in milliseconds."""

    name: str
    path: str
    samples: list[float] = field(default_factory=list)
    note: str = ""
    interactive: bool = True

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-4000:]}")
    return done.stdout.strip()


def environment(stack: StackInfo, ports: dict[str, int]) -> dict[str, str]:
    """The services' environment: this bench's database and index, no Kafka, no sweeps."""
    extra = {f"PACBOT_{name.upper()}_BUS": "memory" for name in SERVICES}
    extra.update({f"PACBOT_{name.upper()}_LOG_LEVEL": "WARNING" for name in SERVICES})
    extra.update(
        {
            "PACBOT_INVENTORY_SCAN_INTERVAL_SECONDS": "0",
            "PACBOT_INVENTORY_SEARCH": "opensearch",
            "PACBOT_INVENTORY_SEARCH_ALIAS": SEARCH_ALIAS,
            "PACBOT_ASSESSOR_REPLAY_ON_DEPLOY": "false",
            "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "10000000",
            # the bench's groups are counted into the tallies a second after they are made
            "PACBOT_VIOLATIONS_TALLY_GROUPS_SYNC_SECONDS": "1",
        }
    )
    return service_env(stack, DATABASE, ports, extra)


async def prepare(stack: StackInfo, env: dict[str, str], count: int) -> dict[str, Any]:
    """Fresh database, migrations, the estate by COPY, the tallies and the search index."""
    await fresh_database(stack, DATABASE)
    for name in ("inventory", "violations"):
        _run([str(BINDIR / f"pacbot-{name}"), "migrate"], env)
    dsn = env["PACBOT_POSTGRES_URL"].replace("+asyncpg", "")
    started = time.perf_counter()
    loaded = await load(dsn, count)
    timings = {"copy_s": time.perf_counter() - started}
    started = time.perf_counter()
    rebuilt = json.loads(_run([str(BINDIR / "pacbot-violations"), "rebuild-aggregates"], env))
    timings["rebuild_aggregates_s"] = time.perf_counter() - started
    started = time.perf_counter()
    indexed = json.loads(_run([str(BINDIR / "pacbot-inventory"), "reindex"], env))
    timings["reindex_s"] = time.perf_counter() - started
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    finally:
        await conn.close()
    return {
        "assets": loaded.assets,
        "results": loaded.results,
        "violations": dict(loaded.violations or {}),
        "policies": loaded.policies,
        "snapshots": loaded.snapshots,
        "tally_cells": rebuilt["rebuilt"],
        "indexed": indexed,
        **{k: round(v, 1) for k, v in timings.items()},
    }


async def timed(client: httpx.AsyncClient, path: str, params: Any = None) -> tuple[float, Any]:
    """One call's latency in ms and its JSON (a non-200 stops the bench)."""
    started = time.perf_counter()
    response = await client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} {params} -> {response.status_code}: {response.text[:500]}")
    return elapsed, response.json()


class Bench:
    """The measurements of one run."""

    def __init__(self, client: httpx.AsyncClient, samples: int, dsn: str) -> None:
        self.client = client
        self.samples = samples
        self.dsn = dsn
        self.results: list[Measured] = []

    async def call(
        self,
        name: str,
        path: str,
        params: Any = None,
        *,
        before: Callable[[], Awaitable[None]] | None = None,
        note: str = "",
        samples: int | None = None,
        interactive: bool = True,
    ) -> Any:
        """Measure ``samples`` calls (after two unmeasured ones); the last answer."""
        measured = Measured(name, path, note=note, interactive=interactive)
        body: Any = None
        for i in range((samples or self.samples) + 2):
            if before is not None:
                await before()
            elapsed, body = await timed(self.client, path, params)
            if i >= 2:
                measured.samples.append(elapsed)
        self.results.append(measured)
        print(f"  {name:<52} p50 {measured.p50:7.1f} ms  p95 {measured.p95:7.1f} ms", flush=True)
        return body

    async def invalidate(self) -> None:
        """Bump the tallies' change counter, as any committed write would (caches miss)."""
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute("UPDATE violations.tally_state SET changes = changes + 1")
        finally:
            await conn.close()

    async def landing(self) -> None:
        """The calls the landing page makes (whole estate, then one asset group)."""
        print("landing page:")
        await self.call("GET /me", "/api/v1/me")
        await self.call(
            "groups (the selector: names, counts=false)",
            "/api/v1/groups",
            {"counts": "false", "limit": 1000},
        )
        await self.call(
            "groups with member counts",
            "/api/v1/groups",
            {"limit": 1000},
            note="one scan of the assets for the page's groups (not a dashboard call)",
            interactive=False,
        )
        summary = await self.call("compliance summary", "/api/v1/compliance/summary")
        await self.call(
            "breakdown by account (top 10)",
            "/api/v1/compliance/breakdown",
            {"by": "account_id", "limit": 10},
        )
        await self.call(
            "breakdown by group (top 10)",
            "/api/v1/compliance/breakdown",
            {"by": "group", "limit": 10},
            note="every group from its tally cells, one read",
        )
        await self.call(
            "breakdown by group (top 10), cache cold",
            "/api/v1/compliance/breakdown",
            {"by": "group", "limit": 10},
            before=self.invalidate,
            samples=max(5, self.samples // 4),
            note="change counter bumped before every call",
        )
        await self.call("trend (30 days)", "/api/v1/compliance/trend", {"scope": "all", "days": 30})
        await self.call("policies (catalogue)", "/api/v1/policies", {"limit": 500})
        print("landing page scoped to a group:")
        await self.call(
            "summary group=prod (1 tracked tag)", "/api/v1/compliance/summary", {"group": "prod"}
        )
        await self.call(
            "breakdown by account, group=prod",
            "/api/v1/compliance/breakdown",
            {"by": "account_id", "group": "prod", "limit": 10},
        )
        await self.call(
            "summary group=finance-accounts",
            "/api/v1/compliance/summary",
            {"group": "finance-accounts"},
        )
        await self.call(
            "summary group=prod-analytics (2 tag keys)",
            "/api/v1/compliance/summary",
            {"group": "prod-analytics"},
            note="the group's tally cells",
        )
        await self.call(
            "summary group=prod-analytics, cache cold",
            "/api/v1/compliance/summary",
            {"group": "prod-analytics"},
            before=self.invalidate,
            samples=max(5, self.samples // 4),
            note="change counter bumped before every call",
        )
        await self.call(
            "summary with 3 tag keys (no group counts them)",
            "/api/v1/compliance/summary",
            {"tag": ["Environment=prod", "Application=analytics", "Owner=team-07@example.com"]},
            before=self.invalidate,
            samples=max(5, self.samples // 4),
            note="ad hoc: a raw recount on every call",
            interactive=False,
        )
        assert summary["evaluated_assets"] > 0

    async def violations(self) -> None:
        """The violations table: a filtered, sorted page; a group; 50 pages by cursor; CSV."""
        print("violations:")
        filtered = {
            "status": "open",
            "severity": ["critical", "high"],
            "sort": "severity",
            "order": "desc",
            "limit": 50,
        }
        await self.call(
            "violations: open critical+high by severity", "/api/v1/violations", filtered
        )
        await self.call(
            "violations: one account, open, oldest first",
            "/api/v1/violations",
            {
                "account_id": ACCOUNTS[3],
                "status": "open",
                "sort": "age",
                "order": "desc",
                "limit": 50,
            },
        )
        await self.call(
            "violations: group=prod, open, newest first",
            "/api/v1/violations",
            {"group": "prod", "status": "open", "limit": 50},
        )
        await self.call("violations: first page, no filter", "/api/v1/violations", {"limit": 50})
        await self.deep_paging()
        await self.export()

    async def deep_paging(self) -> None:
        """Pages 1..50 of open violations by updated_at, each after the previous page's cursor."""
        measured = Measured("violations: pages 1-50 by cursor (per page)", "/api/v1/violations")
        params: dict[str, Any] = {"status": "open", "limit": 50}
        cursor = None
        for _ in range(50):
            elapsed, body = await timed(
                self.client,
                "/api/v1/violations",
                {**params, **({"cursor": cursor} if cursor else {})},
            )
            measured.samples.append(elapsed)
            cursor = body["next_cursor"]
            if not cursor:  # a small estate (BENCH_ASSETS) has fewer pages
                break
        pages = len(measured.samples)
        measured.note = f"page {pages} took {measured.samples[-1]:.1f} ms"
        self.results.append(measured)
        print(f"  {measured.name:<52} p50 {measured.p50:7.1f} ms  p95 {measured.p95:7.1f} ms")

    async def export(self) -> None:
        """CSV export of every open violation: rows per second."""
        rows = 0
        started = time.perf_counter()
        async with self.client.stream(
            "GET", "/api/v1/violations/export.csv", params={"status": "open"}
        ) as response:
            assert response.status_code == 200, response.status_code
            async for line in response.aiter_lines():
                rows += 1 if line else 0
        elapsed = time.perf_counter() - started
        rows -= 1  # the header
        rate = rows / elapsed
        measured = Measured(
            "CSV export (status=open)",
            "/api/v1/violations/export.csv",
            [elapsed * 1000],
            note=f"{rows} rows, {rate:,.0f} rows/s",
            interactive=False,
        )
        self.results.append(measured)
        print(f"  {measured.name:<52} {rows} rows in {elapsed:.2f} s: {rate:,.0f} rows/s")

    async def assets(self) -> None:
        """Asset search with facets."""
        print("assets:")
        await self.call("asset search, all, facets", "/api/v1/assets/search", {"limit": 50})
        await self.call(
            "asset search q=payments, type filter, facets",
            "/api/v1/assets/search",
            {"q": "payments", "resource_type": "aws.s3.bucket", "limit": 50},
        )
        await self.call(
            "asset search tag=Environment=prod, by name",
            "/api/v1/assets/search",
            {"tag": "Environment=prod", "sort": "name", "limit": 50},
        )


async def make_groups(base: str, admin: str, dsn: str) -> float:
    """The asset groups the landing page can be scoped to; seconds until the violations
    service counted them into its tallies."""
    async with httpx.AsyncClient(
        base_url=base, headers={"authorization": f"Bearer {admin}"}, timeout=60
    ) as client:
        for name, criteria in GROUPS.items():
            made = await client.post("/api/v1/groups", json={"name": name, "criteria": criteria})
            assert made.status_code == 201, made.text
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        while time.perf_counter() - started < 600:
            held = await conn.fetchval("SELECT groups FROM violations.tally_state WHERE id = 1")
            if held and set(json.loads(held)) == set(GROUPS):
                return time.perf_counter() - started
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    raise SystemExit("the violations service did not count the asset groups within 600 s")


def report(results: list[Measured], loaded: dict[str, Any], path: Path) -> None:
    """The table, and the JSON beside it."""
    print()
    print(f"{'call':<54} {'p50 ms':>8} {'p95 ms':>8}  note")
    for m in results:
        flag = "" if not m.interactive or m.p95 < TARGET_MS else "  > 100 ms"
        print(f"{m.name:<54} {m.p50:8.1f} {m.p95:8.1f}  {m.note}{flag}")
    document = {
        "loaded": loaded,
        "target_p95_ms": TARGET_MS,
        "calls": [
            {**asdict(m), "p50_ms": round(m.p50, 2), "p95_ms": round(m.p95, 2)} for m in results
        ],
    }
    path.write_text(json.dumps(document, indent=2))
    print(f"\nJSON: {path}")
    # issue 11's target: p95 under 100 ms for every interactive call (at 100k assets)
    record(
        "api",
        [
            Figure(f"p95 {m.name}", m.p95, "ms", TARGET_MS if m.interactive else None, note=m.note)
            for m in results
        ]
        + [Figure(f"p50 {m.name}", m.p50, "ms") for m in results],
        document,
    )


async def cleanup(stack: StackInfo) -> None:
    """Drop the bench's database and search indices."""
    conn = await asyncpg.connect(stack.postgres_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await conn.close()
    async with httpx.AsyncClient(timeout=60) as client:
        await client.delete(f"{stack.opensearch_url}/{SEARCH_ALIAS}-*")


async def main() -> None:
    count = int(os.environ.get("BENCH_ASSETS", "100000"))
    samples = int(os.environ.get("BENCH_SAMPLES", "40"))
    out = Path(os.environ.get("BENCH_JSON", Path(tempfile.gettempdir()) / "pacbot-bench-api.json"))
    stack = DevStack().up()
    ports = {name: free_port() for name in SERVICES}
    env = environment(stack, ports)
    try:
        print(f"loading {count:,} assets into {DATABASE} ...", flush=True)
        loaded = await prepare(stack, env, count)
        print(json.dumps(loaded, indent=2), flush=True)
        with (
            tempfile.TemporaryDirectory(prefix="pacbot-bench-api-") as logs,
            running_services(env, ports, Path(logs)) as urls,
        ):
            admin = await asyncio.to_thread(create_key, env, ADMIN, "bench-admin")
            dsn = env["PACBOT_POSTGRES_URL"].replace("+asyncpg", "")
            loaded["group_cells_s"] = round(await make_groups(urls["gateway"], admin, dsn), 1)
            async with httpx.AsyncClient(
                base_url=urls["gateway"], headers={"authorization": f"Bearer {admin}"}
            ) as client:
                body = {"name": "bench", "subject": VIEWER.subject, "roles": ["viewer"]}
                made = await client.post("/api/v1/keys", json=body)
                assert made.status_code == 201, made.text
                viewer = made.json()["token"]
            async with httpx.AsyncClient(
                base_url=urls["gateway"],
                headers={"authorization": f"Bearer {viewer}"},
                timeout=120,
            ) as client:
                bench = Bench(client, samples, dsn)
                await bench.landing()
                await bench.violations()
                await bench.assets()
        report(bench.results, loaded, out)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            await cleanup(stack)


if __name__ == "__main__":
    asyncio.run(main())
