"""A private stack, a moto estate of a few thousand assets, and the six services run through it.

The fault and scale-out tests restart and stop servers, so they never touch the shared dev
stack: :func:`private_stack` runs its own PostgreSQL, Kafka, OpenSearch and moto on free ports
and in their own home (the downloads are the shared cache's), and removes them afterwards.

A *run* starts from a fresh database, fresh topics and a fresh search alias, and goes through
three phases: a scan of the estate, disabling one policy (its violations close), enabling it
again (they reopen). What a run leaves is its :class:`Outcome`: the open violations, and per
violation the sequence of its events on the violations topic. An undisturbed run and a
disturbed one must leave equal outcomes.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.cli.devstack import DevStack, StackInfo
from pacbot.common.events import TOPIC_CONSUMERS, VIOLATIONS_TOPIC, Envelope
from tests.actors import ADMIN
from tests.services import (
    BINDIR,
    SERVICES,
    create_key,
    free_port,
    fresh_database,
    fresh_topics,
    service_env,
)
from tests.services import _wait_ready as wait_ready

REGION = "us-east-1"
ACCOUNT = "123456789012"
RESOURCE_TYPES = [
    "aws.ec2.instance",
    "aws.ec2.volume",
    "aws.ec2.network_interface",
    "aws.ec2.security_group",
]
TOGGLED_POLICY = "aws-ec2-volume-encrypted"
CONSUMERS = ("assessor", "violations", "autofix")
"""The services that consume topics (the ones a kill -9 can catch mid-message)."""

STACK_PORTS = (
    "postgres",
    "kafka",
    "kafka_controller",
    "kafka_sasl",
    "opensearch",
    "opensearch_transport",
    "moto",
)


@dataclass
class PrivateStack:
    """A dev stack of this test module's own: servers it may stop and start at will."""

    devstack: DevStack
    info: StackInfo

    def stop(self, name: str) -> None:
        """Stop one server (its data stays)."""
        self.devstack.components[name].stop()

    def start(self, name: str, timeout: float = 180) -> None:
        """Start one server again on the same port and data, and wait until it serves."""
        self.devstack.components[name].ensure(timeout)


@contextmanager
def private_stack(home: Path) -> Iterator[PrivateStack]:
    """PostgreSQL, Kafka, OpenSearch and moto on free ports in ``home``; gone afterwards."""
    ports = {name: free_port() for name in STACK_PORTS}
    devstack = DevStack(home, ports)
    try:
        info = devstack.up(timeout=300)
        yield PrivateStack(devstack, info)
    finally:
        devstack.down()
        if devstack.layout.shared != devstack.layout.home:
            shutil.rmtree(devstack.layout.shared, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def build_estate(moto_url: str, instances: int) -> int:
    """EC2 instances, each with its root volume and network interface, in the moto account;
    how many assets the scan will find."""
    ec2 = boto3.client(
        "ec2",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    made = 0
    while made < instances:
        batch = min(250, instances - made)
        ec2.run_instances(ImageId=image, MinCount=batch, MaxCount=batch, InstanceType="t2.micro")
        made += batch
    counts = [
        len(ec2.describe_instances()["Reservations"]),
        len(ec2.describe_volumes()["Volumes"]),
        len(ec2.describe_network_interfaces()["NetworkInterfaces"]),
        len(ec2.describe_security_groups()["SecurityGroups"]),
    ]
    return sum(counts[1:]) + instances


@dataclass
class Outcome:
    """What a run leaves: its open violations and, per violation, its events in order."""

    open_violations: frozenset[tuple[str, str]]
    """(asset id, policy id) of every open violation."""
    sequences: dict[tuple[str, str], list[tuple[str, int, int]]]
    """Per (asset id, policy id): (event type, episode, sequence) of each distinct event (by
    envelope id), in order. Two distinct events for one transition show here as a duplicate."""
    redelivered: int = 0
    """Copies of an event already read (same envelope id): the contract's at-least-once
    delivery, which consumers dedupe by id; not a difference between outcomes."""

    def differences(self, other: Outcome) -> list[str]:
        """What differs from ``other``, in words (empty when the outcomes are equal)."""
        found: list[str] = []
        if self.open_violations != other.open_violations:
            found.append(
                f"open violations: {len(self.open_violations - other.open_violations)} extra, "
                f"{len(other.open_violations - self.open_violations)} missing"
            )
        for key in sorted(set(self.sequences) | set(other.sequences)):
            mine, theirs = self.sequences.get(key, []), other.sequences.get(key, [])
            if mine != theirs:
                found.append(f"{key}: {mine} != {theirs}")
        return found


@dataclass
class Pipeline:
    """The six services as processes over one stack; any of them can be killed and restarted,
    and the assessor and the violations service can run as several replicas."""

    stack: StackInfo
    database: str
    logs: Path
    extra: Mapping[str, str]
    replicas: Mapping[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    urls: dict[str, list[str]] = field(default_factory=dict)
    procs: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    log_files: dict[tuple[str, int], Path] = field(default_factory=dict)
    _starts: int = 0

    def __post_init__(self) -> None:
        ports = {name: free_port() for name in SERVICES}
        self.env = service_env(self.stack, self.database, ports, dict(self.extra))
        for name in SERVICES:
            count = self.replicas.get(name, 1)
            own = [ports[name]] + [free_port() for _ in range(count - 1)]
            self.urls[name] = [f"http://127.0.0.1:{port}" for port in own]

    def url(self, name: str) -> str:
        """The first replica's URL."""
        return self.urls[name][0]

    def _spawn(self, name: str, replica: int) -> subprocess.Popen[bytes]:
        self._starts += 1
        port = self.urls[name][replica].rsplit(":", 1)[1]
        env = {**self.env, f"PACBOT_{name.upper()}_PORT": port}
        log = self.logs / f"{name}-{replica}-{self._starts}.log"
        self.log_files[(name, replica)] = log
        out = log.open("wb")
        return subprocess.Popen(
            [str(BINDIR / f"pacbot-{name}")], env=env, stdout=out, stderr=subprocess.STDOUT
        )

    def start(self) -> None:
        """Start every replica of every service; wait until each is ready."""
        self.logs.mkdir(parents=True, exist_ok=True)
        for name in SERVICES:
            self.procs[name] = [self._spawn(name, r) for r in range(len(self.urls[name]))]
        for name in SERVICES:
            for replica in range(len(self.urls[name])):
                self.wait_ready(name, replica)

    def wait_ready(self, name: str, replica: int = 0) -> None:
        """Poll /readyz of one replica until 200; fail with its log if it dies or times out."""
        proc, url = self.procs[name][replica], self.urls[name][replica]
        wait_ready(f"{name}[{replica}]", url, proc, self.log_files[(name, replica)])

    def kill9(self, name: str, replica: int = 0) -> None:
        """SIGKILL one replica: no shutdown hook runs, nothing is committed on the way out."""
        proc = self.procs[name][replica]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def restart(self, name: str, replica: int = 0) -> None:
        """Start a replica again on the same port; wait until it is ready."""
        self.procs[name][replica] = self._spawn(name, replica)
        self.wait_ready(name, replica)

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after 20 s)."""
        alive = [p for procs in self.procs.values() for p in procs if p.poll() is None]
        for proc in alive:
            proc.terminate()
        for proc in alive:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def signed_get(self, name: str, path: str, **params: Any) -> httpx.Response:
        """GET a service's route with the internal signature (the gateway's way in)."""
        from pacbot.common.auth import InternalAuth, InternalTokens

        tokens = InternalTokens(self.env["PACBOT_INTERNAL_SECRET"])
        auth = InternalAuth(tokens, caller="fault-test", audience=name)
        return httpx.get(f"{self.url(name)}{path}", params=params, auth=auth, timeout=60)


Disturbance = Callable[[Pipeline, str], Awaitable[None]]
"""Called once per phase (``scan``, ``disable``, ``enable``) right after its action, while
the services still work through what it caused."""


async def run(
    pipe: Pipeline, disturb: Disturbance | None = None, quiet_timeout: float = 240
) -> Outcome:
    """The three phases, each waited out until the pipeline is quiet; the outcome."""
    started = time.monotonic()
    admin = await asyncio.to_thread(create_key, pipe.env, ADMIN, "fault-admin")
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=pipe.url("gateway"), timeout=300, headers=headers) as gw:
        body = {"account_id": ACCOUNT, "resource_types": RESOURCE_TYPES}
        scanned = await gw.post("/api/v1/scans", json=body)
        assert scanned.status_code == 200, scanned.text
        failed = [s for s in scanned.json()["sweeps"] if s["status"] != "succeeded"]
        assert not failed, failed
        print(f"pipeline run: scanned at {time.monotonic() - started:.1f}s")
        for phase, enabled in (("scan", None), ("disable", False), ("enable", True)):
            if enabled is not None:
                change = {"enabled": enabled, "reason": f"fault test: {phase}"}
                patched = await gw.patch(f"/api/v1/policies/{TOGGLED_POLICY}", json=change)
                assert patched.status_code == 200, patched.text
            if disturb is not None:
                await disturb(pipe, phase)
            await wait_quiet(pipe, timeout=quiet_timeout)
            print(f"pipeline run: {phase} quiet at {time.monotonic() - started:.1f}s")
    return await outcome(pipe)


async def _lag(bootstrap: str) -> int:
    """Messages the services' consumer groups have not committed yet, over all their topics."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    await consumer.start()
    try:
        total = 0
        groups = {g for readers in TOPIC_CONSUMERS.values() for g in readers}
        for group in groups:
            topics = [t for t, readers in TOPIC_CONSUMERS.items() if group in readers]
            parts = [
                TopicPartition(t, p)
                for t in topics
                for p in sorted(consumer.partitions_for_topic(t) or await _partitions(consumer, t))
            ]
            if not parts:
                continue
            ends = await consumer.end_offsets(parts)
            committed = await admin.list_consumer_group_offsets(group, partitions=parts)
            for tp in parts:
                done = committed.get(tp)
                total += ends[tp] - (done.offset if done is not None and done.offset >= 0 else 0)
        return total
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # no public refresh
    return set(consumer.partitions_for_topic(topic) or ())


async def _unsent(stack: StackInfo, database: str) -> int:
    """Rows still waiting in any service's outbox."""
    url = stack.postgres_url.replace("+asyncpg", "").rsplit("/", 1)[0] + f"/{database}"
    conn = await asyncpg.connect(url, timeout=10)
    try:
        tables = await conn.fetch(
            "select table_schema from information_schema.tables where table_name = 'outbox'"
        )
        total = 0
        for row in tables:
            total += await conn.fetchval(f'select count(*) from "{row[0]}".outbox')  # noqa: S608 - names from the catalog
        return int(total)
    finally:
        await conn.close()


async def wait_quiet(pipe: Pipeline, timeout: float, settle: float = 3.0) -> None:
    """Until no outbox holds a row, every consumer group has committed every message, and the
    violations topic has not grown for ``settle`` seconds."""
    deadline = time.monotonic() + timeout
    last: tuple[int, int, int] | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        try:
            state = (
                await _unsent(pipe.stack, pipe.database),
                await _lag(pipe.stack.kafka_bootstrap),
                await topic_size(pipe.stack.kafka_bootstrap, VIOLATIONS_TOPIC),
            )
        except Exception:  # a server being restarted: not quiet
            state = None
        if state is None or state != last or state[0] or state[1]:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= settle:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"pipeline not quiet after {timeout}s (outbox, lag, events): {last}")


async def topic_size(bootstrap: str, topic: str) -> int:
    """Messages in ``topic`` (sum of end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        return sum((await consumer.end_offsets(parts)).values()) if parts else 0
    finally:
        await consumer.stop()


async def partition_count(bootstrap: str, topic: str) -> int:
    """How many partitions ``topic`` has."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await consumer.start()
    try:
        return len(await _partitions(consumer, topic))
    finally:
        await consumer.stop()


async def read_topic(bootstrap: str, topic: str, timeout: float = 60) -> list[bytes]:
    """Every message value in ``topic``, read from the beginning to its end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in sorted(await _partitions(consumer, topic))]
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        values: list[bytes] = []
        deadline = time.monotonic() + timeout
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            values += [m.value for msgs in batch.values() for m in msgs if m.value is not None]
        return values
    finally:
        await consumer.stop()


async def outcome(pipe: Pipeline) -> Outcome:
    """The open violations (the violations service's answer) and the violation events."""
    sequences: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    seen: set[str] = set()
    redelivered = 0
    for raw in await read_topic(pipe.stack.kafka_bootstrap, VIOLATIONS_TOPIC):
        envelope = Envelope.decode(raw)
        if envelope.id in seen:  # at-least-once delivery: the same event again, deduped by id
            redelivered += 1
            continue
        seen.add(envelope.id)
        data = envelope.data
        key = (data["asset"]["asset_id"], data["policy"]["policy_id"])
        sequences[key].append((data["event_type"], data["episode"], data["sequence"]))
    for events in sequences.values():
        events.sort(key=lambda e: (e[1], e[2]))
    opened: set[tuple[str, str]] = set()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"status": "open", "limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = await asyncio.to_thread(pipe.signed_get, "violations", "/violations", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        opened |= {(v["asset_id"], v["policy_id"]) for v in body["items"]}
        cursor = body.get("next_cursor")
        if not cursor:
            break
    return Outcome(frozenset(opened), dict(sequences), redelivered)


@contextmanager
def fresh_pipeline(
    stack: StackInfo,
    logs: Path,
    database: str,
    replicas: Mapping[str, int] | None = None,
    extra: Mapping[str, str] | None = None,
) -> Iterator[Pipeline]:
    """The six services on a fresh database, fresh topics and a fresh search alias."""
    asyncio.run(fresh_topics(stack.kafka_bootstrap))
    asyncio.run(fresh_database(stack, database))
    settings = {
        "PACBOT_INVENTORY_REGIONS": json.dumps([REGION]),
        "PACBOT_INVENTORY_DEFAULT_ACCOUNT_ID": ACCOUNT,
        "PACBOT_INVENTORY_SEARCH_ALIAS": f"pacbot-assets-{database.replace('_', '-')}",
        "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
        "PACBOT_EXCEPTIONS_EXPIRY_POLL_SECONDS": "1",
        **(extra or {}),
    }
    httpx.delete(f"{stack.opensearch_url}/{settings['PACBOT_INVENTORY_SEARCH_ALIAS']}*", timeout=60)
    pipe = Pipeline(stack, database, logs, settings, replicas or {})
    started = time.monotonic()
    try:
        pipe.start()
        print(f"pipeline {database}: six services ready in {time.monotonic() - started:.1f}s")
        yield pipe
    finally:
        pipe.stop()


def kill_during(pipe: Pipeline, name: str) -> None:
    """kill -9 every replica of a service, then start them again."""
    for replica in range(len(pipe.urls[name])):
        pipe.kill9(name, replica)
    for replica in range(len(pipe.urls[name])):
        pipe.restart(name, replica)
