"""End-to-end pipeline benchmark: asset events in, violation events out, through real processes.

The driver plays the inventory. It builds a synthetic estate of mixed asset types over several
accounts and regions (``bench.pipeline_estate``), encodes one ``asset.upserted`` envelope per
asset before the clock starts, and works out with the assessor's own policy catalog how many
violations the estate must open. Then, on a FRESH PostgreSQL database, it starts the assessor and
the violations service as separate OS processes (their console scripts), each in consumer groups
of its own that start at the current end of the topics (the broker is shared), waits until the
groups are stable, and starts the clock: it publishes the events to ``pacbot.assets.v1`` and at
the same time bulk-indexes the same assets into a fresh OpenSearch index through the inventory's
adapter (``OpenSearchAssets``), as inventory does after a sweep.

The run has settled when every expected ``violation.opened`` event of this run's assets is on
``pacbot.violations.v1``; the counts per resource type must match the in-process evaluation and
the violations database must hold exactly that many open violations.

Reported per run: assets/s end to end, seconds to settle, CPU seconds and ms of CPU per asset of
each process (assessor, violations, driver; /proc/<pid>/stat user+system deltas over the timed
window) and each process's peak resident memory (VmHWM). On a shared machine the wall clock
mostly measures the neighbours; the CPU per asset does not.

Environment: BENCH_SIZES (assets per run, default "10000,100000"), BENCH_REPLICAS (processes
per service, default "1,2": with 2, two assessors and two violations processes share their
consumer groups over the topics' partitions), BENCH_TIMEOUT (seconds a run may take to settle,
default 600). Each size and replica count is a fresh run: its database and index are dropped
afterwards. Needs `pacbot dev up`; run with `make bench-pipeline`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from subprocess import STDOUT
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.pipeline_estate import (
    TYPES,
    catalog,
    enabled_by_type,
    estate,
    expected_failures,
    search_documents,
    upserted,
)
from bench.procstats import CpuWindow, exit_on_sigterm, peak_rss_mb
from bench.results import Figure, record
from pacbot.cli.devstack import DevStack, StackInfo
from pacbot.common.bus import KafkaBus
from pacbot.common.events import (
    ASSETS_TOPIC,
    TOPIC_CONSUMERS,
    TOPICS,
    VIOLATIONS_TOPIC,
    utcnow,
)
from pacbot.common.search import OpenSearchAssets
from pacbot.common.testing import start_group_at_end
from tests.services import BINDIR, free_port, fresh_database, service_env

SERVICES = ("assessor", "violations")
SERVERS = ("postgres", "kafka", "opensearch")
"""The dev stack's servers whose CPU a run also reports (shared: whatever else uses them counts)."""
INDEX_CHUNK = 1000
OPENED = "pacbot.violation.opened"


class RunFailed(RuntimeError):
    """A run did not settle, or settled on other counts than expected."""


@dataclass
class Service:
    """One running service process."""

    name: str
    replica: int
    proc: asyncio.subprocess.Process
    log: Path
    url: str


@dataclass
class Outcome:
    """What one run measured."""

    size: int
    replicas: int
    expected: int
    opened: int
    open_in_db: int
    published_s: float
    indexed_s: float
    settled_s: float
    cpu_s: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    opened_by_type: dict[str, int] = field(default_factory=dict)
    foreign_open: int = 0
    """Open violations of other runs' assets (their evaluations, on the shared broker)."""

    @property
    def rate(self) -> float:
        """Assets per second, end to end."""
        return self.size / self.settled_s

    def cpu_ms_per_asset(self, who: str) -> float:
        """Milliseconds of CPU per asset that ``who`` (a service, all replicas, or the driver)
        used over the timed window."""
        return 1000 * self.cpu_s[who] / self.size


def _label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _partitions(topics: Sequence[str], counts: dict[str, set[int]]) -> list[TopicPartition]:
    return [TopicPartition(t, p) for t in topics for p in sorted(counts[t])]


async def _partition_map(producer: AIOKafkaProducer, topics: Sequence[str]) -> dict[str, set[int]]:
    return {t: await producer.partitions_for(t) for t in topics}


async def _reader_at_end(parts: list[TopicPartition], bootstrap: str) -> AIOKafkaConsumer:
    """A consumer of ``parts`` positioned after everything already in them."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    return consumer


def _env(
    stack: StackInfo, database: str, name: str, group: str, port: int, secret: str
) -> dict[str, str]:
    """One process's environment: this run's database, its group, no peers to call."""
    prefix = f"PACBOT_{name.upper()}_"
    return service_env(
        stack,
        database,
        {name: port},
        {
            "PACBOT_INTERNAL_SECRET": secret,
            # the consumer group (and schema) is named after the service: one of this run's own
            prefix + "SERVICE_NAME": group,
            prefix + "LOG_LEVEL": "WARNING",
            prefix + "LOG_JSON": "false",
            # no inventory runs here: the driver plays it, so no replay request and no groups
            "PACBOT_ASSESSOR_REPLAY_ON_DEPLOY": "false",
            "PACBOT_VIOLATIONS_TALLY_GROUPS": "0",
            "PACBOT_VIOLATIONS_SNAPSHOT_INTERVAL_SECONDS": "0",
        },
    )


async def _ready(service: Service, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if service.proc.returncode is not None:
                raise RunFailed(
                    f"{service.name} exited with {service.proc.returncode}:\n"
                    + service.log.read_text()[-4000:]
                )
            try:
                if (await client.get(f"{service.url}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RunFailed(
        f"{service.name} not ready after {timeout}s:\n{service.log.read_text()[-4000:]}"
    )


async def _start(
    stack: StackInfo, database: str, groups: dict[str, str], replicas: int, logs: Path
) -> list[Service]:
    """``replicas`` processes of each service; one at a time, so only the first migrates."""
    secret = os.environ.get("PACBOT_INTERNAL_SECRET") or uuid.uuid4().hex * 2
    services: list[Service] = []
    for replica in range(replicas):
        for name in SERVICES:
            port = free_port()
            log = logs / f"{name}-{replica}.log"
            env = _env(stack, database, name, groups[name], port, secret)
            with log.open("wb") as out:
                proc = await asyncio.create_subprocess_exec(
                    str(BINDIR / f"pacbot-{name}"), env=env, stdout=out, stderr=STDOUT
                )
            service = Service(name, replica, proc, log, f"http://127.0.0.1:{port}")
            services.append(service)
            await _ready(service)
    return services


async def _stop(services: Sequence[Service]) -> None:
    for service in services:
        if service.proc.returncode is None:
            service.proc.terminate()
    for service in services:
        try:
            await asyncio.wait_for(service.proc.wait(), timeout=20)
        except TimeoutError:
            service.proc.kill()
            await service.proc.wait()


async def _stable(bootstrap: str, groups: Sequence[str], members: int, timeout: float) -> None:
    """Wait until every group has ``members`` members and a finished rebalance."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            states = {}
            for group in groups:
                for response in await admin.describe_consumer_groups([group]):
                    for entry in response.groups:
                        states[group] = (entry[2], len(entry[5]))
            if all(states.get(g) == ("Stable", members) for g in groups):
                return
            if time.monotonic() > deadline:
                raise RunFailed(f"consumer groups not stable after {timeout}s: {states}")
            await asyncio.sleep(0.5)
    finally:
        await admin.close()


async def _open_violations(
    stack: StackInfo, database: str, schema: str, run_id: str
) -> tuple[int, int]:
    """Open violations of this run's assets, and of any other: the broker is shared, so the
    violations service also judges evaluations other runs publish meanwhile."""
    url = stack.postgres_url.replace("+asyncpg", "").rsplit("/", 1)[0] + f"/{database}"
    conn = await asyncpg.connect(url, server_settings={"search_path": schema})
    try:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE asset_name LIKE $1) AS ours, count(*) AS every "
            "FROM violations WHERE status = 'open'",
            f"bench-{run_id}-%",
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row["ours"]), int(row["every"]) - int(row["ours"])


async def _drop_database(stack: StackInfo, database: str) -> None:
    conn = await asyncpg.connect(stack.postgres_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def _drop_index(search: OpenSearchAssets) -> None:
    if search.client is None:
        return
    for index in await search.aliased():
        await search.client.indices.delete(index=index)
    await search.stop()


@dataclass
class Timed:
    """What the timed window saw."""

    published_s: float = 0.0
    indexed_s: float = 0.0
    settled_s: float = 0.0
    opened: set[str] = field(default_factory=set)
    opened_by_type: Counter[str] = field(default_factory=Counter)


async def _timed(
    producer: AIOKafkaProducer,
    search: OpenSearchAssets,
    reader: AIOKafkaConsumer,
    encoded: Sequence[tuple[bytes, bytes]],
    docs: Sequence[dict[str, Any]],
    marker: str,
    expected: int,
    timeout: float,
) -> Timed:
    """Publish and index at once; read violation events until ``expected`` have opened."""
    timed = Timed()
    start = time.perf_counter()

    async def publish() -> None:
        for key, value in encoded:
            await producer.send(ASSETS_TOPIC, value, key=key)
        await producer.flush()
        timed.published_s = time.perf_counter() - start

    async def index() -> None:
        for i in range(0, len(docs), INDEX_CHUNK):
            await search.apply(docs[i : i + INDEX_CHUNK], [])
        timed.indexed_s = time.perf_counter() - start

    async def settle() -> None:
        while len(timed.opened) < expected:
            if time.perf_counter() - start > timeout:
                raise RunFailed(
                    f"not settled after {timeout:.0f}s: {len(timed.opened)} of {expected} "
                    f"violations opened (published: {timed.published_s > 0}, "
                    f"indexed: {timed.indexed_s > 0})"
                )
            batches = await reader.getmany(timeout_ms=500)
            for records in batches.values():
                for rec in records:
                    if rec.value is None or marker.encode() not in rec.value:
                        continue
                    data = json.loads(rec.value)["data"]
                    if data["event_type"] != OPENED or marker not in data["asset"]["name"]:
                        continue
                    if data["violation_id"] not in timed.opened:
                        timed.opened.add(data["violation_id"])
                        timed.opened_by_type[data["asset"]["resource_type"]] += 1
        timed.settled_s = time.perf_counter() - start

    await asyncio.gather(publish(), index(), settle())
    return timed


async def run_once(stack: StackInfo, size: int, replicas: int, timeout: float) -> Outcome:
    """One fresh run: ``size`` assets through ``replicas`` processes of each service."""
    run_id = uuid.uuid4().hex[:8]
    by_type = enabled_by_type(catalog().policies)
    assets = estate(run_id, size, by_type)
    expected_by_type = expected_failures(assets, by_type)
    expected = sum(expected_by_type.values())
    seen = utcnow()
    encoded = [(a.summary.asset_id.encode(), upserted(a, seen).encode()) for a in assets]
    docs = list(search_documents(assets, seen))
    print(
        f"run {run_id}: {size} assets ({len(TYPES)} types), {replicas} replica(s) per service, "
        f"{expected} violations expected",
        flush=True,
    )
    database = f"pacbot_bench_pipeline_{run_id}"
    groups = {name: f"{name}_bench_{run_id}" for name in SERVICES}
    bootstrap = stack.kafka_bootstrap
    logs = Path(tempfile.mkdtemp(prefix=f"pacbot-bench-pipeline-{run_id}-"))
    await KafkaBus(bootstrap, client_id="bench").ensure_topics(list(TOPICS))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    search = OpenSearchAssets(stack.opensearch_url, alias=f"pacbot-bench-pipeline-{run_id}")
    services: list[Service] = []
    reader: AIOKafkaConsumer | None = None
    await producer.start()
    try:
        counts = await _partition_map(producer, TOPICS)
        for name in SERVICES:
            reads = [t for t, readers in TOPIC_CONSUMERS.items() if "violations" in readers]
            topics = [ASSETS_TOPIC] if name == "assessor" else reads
            await start_group_at_end(bootstrap, groups[name], _partitions(topics, counts))
        reader = await _reader_at_end(_partitions([VIOLATIONS_TOPIC], counts), bootstrap)
        await fresh_database(stack, database)
        await search.start()
        services = await _start(stack, database, groups, replicas, logs)
        await _stable(bootstrap, list(groups.values()), replicas, timeout=120)
        windows = [(s, CpuWindow(s.proc.pid)) for s in services]
        driver = CpuWindow(os.getpid())
        servers = _server_windows()
        for window in [*(w for _, w in windows), driver, *servers.values()]:
            window.start()
        timed = await _timed(producer, search, reader, encoded, docs, run_id, expected, timeout)
        cpu = {"driver": driver.stop()}
        cpu.update({name: window.stop() for name, window in servers.items()})
        for service, window in windows:
            cpu[service.name] = cpu.get(service.name, 0.0) + window.stop()
        peaks = {"driver": peak_rss_mb(os.getpid())}
        for service in services:
            peaks[service.name] = max(peaks.get(service.name, 0.0), peak_rss_mb(service.proc.pid))
        in_db, foreign = await _open_violations(stack, database, groups["violations"], run_id)
    except RunFailed as failed:
        raise RunFailed(f"{failed} (service logs in {logs})") from None
    finally:
        await _stop(services)
        if reader is not None:
            await reader.stop()
        await producer.stop()
        await _drop_index(search)
        await _drop_database(stack, database)
    outcome = Outcome(
        size=size,
        replicas=replicas,
        expected=expected,
        opened=len(timed.opened),
        open_in_db=in_db,
        published_s=timed.published_s,
        indexed_s=timed.indexed_s,
        settled_s=timed.settled_s,
        cpu_s=cpu,
        peak_mb=peaks,
        opened_by_type=dict(timed.opened_by_type),
        foreign_open=foreign,
    )
    if dict(timed.opened_by_type) != expected_by_type or in_db != expected:
        raise RunFailed(
            f"run {run_id}: expected {expected_by_type}, opened {dict(timed.opened_by_type)}, "
            f"{in_db} open in the violations database (service logs in {logs})"
        )
    return outcome


def _server_windows() -> dict[str, CpuWindow]:
    """A CPU window on each dev-stack server that runs here (its whole process tree)."""
    devstack = DevStack()
    windows: dict[str, CpuWindow] = {}
    for name in SERVERS:
        pid = devstack.components[name].pid()
        if pid is not None:
            windows[name] = CpuWindow(pid, tree=True)
    return windows


def _print(outcome: Outcome) -> None:
    print(
        f"  published in {outcome.published_s:.1f}s, indexed in {outcome.indexed_s:.1f}s, "
        f"settled in {outcome.settled_s:.1f}s: {outcome.rate:,.0f} assets/s end to end; "
        f"{outcome.opened} violations opened, {outcome.open_in_db} open in the database "
        f"(and {outcome.foreign_open} of other runs' assets, from the shared broker)",
        flush=True,
    )
    for who in (*SERVICES, "driver"):
        print(
            f"  {who:<10} CPU {outcome.cpu_s[who]:7.1f}s = {outcome.cpu_ms_per_asset(who):6.2f} "
            f"ms/asset, peak {outcome.peak_mb[who]:6.0f} MB",
            flush=True,
        )
    for who in (w for w in SERVERS if w in outcome.cpu_s):
        print(
            f"  {who:<10} CPU {outcome.cpu_s[who]:7.1f}s = {outcome.cpu_ms_per_asset(who):6.2f} "
            "ms/asset (server, shared)",
            flush=True,
        )


def figures(outcomes: Sequence[Outcome]) -> list[Figure]:
    """The recorded figures; the targets are issue 13's (2,000 assets/s, 100k settled in 60 s)."""
    result: list[Figure] = []
    by_run = {(o.size, o.replicas): o for o in outcomes}
    for o in outcomes:
        tag = f"{_label(o.size)}, {o.replicas} replica{'s' if o.replicas > 1 else ''}"
        settle_target = 60.0 if o.size == 100_000 else None  # the target is stated for 100k
        result += [
            Figure(f"assets/s end to end ({tag})", o.rate, "assets/s", 2000, better="higher"),
            Figure(f"settled ({tag})", o.settled_s, "s", settle_target),
        ]
        for who in (*SERVICES, "driver"):
            result.append(Figure(f"{who} CPU per asset ({tag})", o.cpu_ms_per_asset(who), "ms"))
        for who in (w for w in SERVERS if w in o.cpu_s):
            name = f"{who} server CPU per asset ({tag})"
            result.append(Figure(name, o.cpu_ms_per_asset(who), "ms", note="shared server"))
        for who in (*SERVICES, "driver"):
            result.append(Figure(f"{who} peak memory ({tag})", o.peak_mb[who], "MB"))
        one = by_run.get((o.size, 1))
        if o.replicas > 1 and one is not None:
            result.append(
                Figure(
                    f"speed-up of {o.replicas} replicas over 1 ({_label(o.size)})",
                    o.rate / one.rate,
                    "x",
                    note="wall clock: on a busy 2-core machine the replicas share the same cores",
                )
            )
    return result


def _ints(name: str, default: str) -> list[int]:
    return [int(v) for v in os.environ.get(name, default).replace(" ", "").split(",") if v]


def main() -> int:
    """Every size with every replica count, each a fresh run; record what settled."""
    exit_on_sigterm()
    sizes = _ints("BENCH_SIZES", "10000,100000")
    replicas = _ints("BENCH_REPLICAS", "1,2")
    timeout = float(os.environ.get("BENCH_TIMEOUT", "600"))
    stack = DevStack().info()
    outcomes: list[Outcome] = []
    failures: list[str] = []
    for size in sizes:
        for count in replicas:
            try:
                outcome = asyncio.run(run_once(stack, size, count, timeout))
            except RunFailed as failed:
                failures.append(f"{size} assets, {count} replica(s): {failed}")
                print(f"  FAILED: {failed}", file=sys.stderr)
                continue
            _print(outcome)
            outcomes.append(outcome)
    details = {
        "runs": [{**asdict(o), "assets_per_s": o.rate} for o in outcomes],
        "failures": failures,
        "cpu": "user+system seconds per process over the timed window (/proc/<pid>/stat)",
    }
    if outcomes:
        path = record("pipeline", figures(outcomes), details)
        print(f"recorded {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
