"""Change-to-violation latency: an AWS call in moto → its CloudTrail event → violation on Kafka.

Starts inventory, assessor and violations as separate processes (their console scripts) on the
dev stack and its moto, in consumer groups of this run that start at the end of the topics, with
the inventory reading an SQS change queue of this run. Then, repeatedly, makes a bucket public
(``put_bucket_acl`` public-read) or private again and at once delivers the CloudTrail-shaped
event, alternately by ``POST /events/aws`` (signed as a peer service) and through the queue. The
clock starts when the AWS call returned and stops when the bucket's ``violation.opened`` or
``reopened`` (or ``closed``) is read from ``pacbot.violations.v1`` by a consumer positioned at
the end.

Phases: idle, then loaded (a background publisher pushes synthetic ``asset.upserted`` events of
other assets into ``pacbot.assets.v1`` at BENCH_LOAD_RATE per second, default 300: about half of
what the pipeline sustains here, since a load above its throughput grows the queue, and with it
the latency, without bound).
BENCH_SAMPLES per phase (default 30). Needs `pacbot dev up`; run with `make bench-latency`.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from subprocess import STDOUT
from typing import Any

import boto3
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from botocore.config import Config

from bench.pipeline import _partition_map, _partitions, _reader_at_end
from bench.pipeline_estate import catalog, enabled_by_type, estate, upserted
from bench.procstats import exit_on_sigterm
from bench.results import Figure, record
from pacbot.cli.devstack import DevStack, StackInfo
from pacbot.common.auth import InternalAuth, InternalTokens
from pacbot.common.bus import KafkaBus
from pacbot.common.events import (
    ASSETS_TOPIC,
    TOPIC_CONSUMERS,
    TOPICS,
    VIOLATIONS_TOPIC,
    Envelope,
    ViolationChanged,
    utcnow,
)
from pacbot.common.testing import start_group_at_end
from tests.services import BINDIR, free_port, fresh_database, service_env

SERVICES = ("inventory", "assessor", "violations")
ACCOUNT = "123456789012"
WAIT_SECONDS = float(os.environ.get("BENCH_TIMEOUT", "180"))
"""How long one change may take to reach its violation before the run fails."""


def aws(stack: StackInfo, service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=stack.moto_url,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        config=Config(s3={"addressing_style": "path"}),
    )


def change_event(bucket: str, acl: str) -> dict[str, Any]:
    """The EventBridge event CloudTrail emits for a PutBucketAcl."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "account": ACCOUNT,
        "region": "us-east-1",
        "time": utcnow().isoformat(),
        "resources": [],
        "detail": {
            "eventSource": "s3.amazonaws.com",
            "eventName": "PutBucketAcl",
            "awsRegion": "us-east-1",
            "requestParameters": {"bucketName": bucket, "x-amz-acl": [acl]},
            "responseElements": None,
        },
    }


async def _ready(name: str, url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 180
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"{name} exited, see {log}")
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{name} not ready, see {log}")


async def _violation(
    reader: AIOKafkaConsumer, asset_id: str, kinds: tuple[str, ...], timeout: float
) -> float:
    """Wait for an event of ``kinds`` about ``asset_id``; the monotonic time it was read."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batches = await reader.getmany(timeout_ms=50)
        for records in batches.values():
            for rec in records:
                envelope = Envelope.decode(rec.value)
                if envelope.type not in kinds:
                    continue
                if envelope.payload_as(ViolationChanged).asset.asset_id == asset_id:
                    return time.monotonic()
    raise RuntimeError(f"no {' or '.join(kinds)} for {asset_id} within {timeout}s")


async def _load(producer: AIOKafkaProducer, rate: int, stop: asyncio.Event) -> int:
    """Publish synthetic asset.upserted events of other assets at ``rate``/s until ``stop``."""
    assets = estate(uuid.uuid4().hex[:8], 20000, enabled_by_type(catalog().policies))
    seen = utcnow()
    encoded = [(a.summary.asset_id.encode(), upserted(a, seen).encode()) for a in assets]
    sent, tick = 0, 0.1
    while not stop.is_set():
        started = time.monotonic()
        for _ in range(int(rate * tick)):
            key, value = encoded[sent % len(encoded)]
            await producer.send(ASSETS_TOPIC, value, key=key)
            sent += 1
        await asyncio.sleep(max(0.0, tick - (time.monotonic() - started)))
    return sent


async def _phase(
    name: str,
    samples: int,
    stack: StackInfo,
    inventory: httpx.AsyncClient,
    queue_url: str,
    reader: AIOKafkaConsumer,
    bucket: str,
    state: list[bool],
) -> dict[str, list[float]]:
    s3, sqs = aws(stack, "s3"), aws(stack, "sqs")
    arn = f"arn:aws:s3:::{bucket}"
    found: dict[str, list[float]] = {"http": [], "sqs": []}
    for i in range(samples * 2):
        route = "http" if i % 2 == 0 else "sqs"
        state[0] = not state[0]
        acl = "public-read" if state[0] else "private"
        # the bucket's first public moment opens its violation; each later one reopens it
        kinds = (
            ("pacbot.violation.opened", "pacbot.violation.reopened")
            if state[0]
            else ("pacbot.violation.closed",)
        )
        await asyncio.to_thread(s3.put_bucket_acl, Bucket=bucket, ACL=acl)
        t0 = time.monotonic()
        body = json.dumps(change_event(bucket, acl))
        if route == "http":
            answer = await inventory.post(
                "/events/aws", content=body, headers={"content-type": "application/json"}
            )
            answer.raise_for_status()
        else:
            await asyncio.to_thread(sqs.send_message, QueueUrl=queue_url, MessageBody=body)
        seen = await _violation(reader, arn, kinds, timeout=WAIT_SECONDS)
        found[route].append(seen - t0)
        print(f"  {name} {route} {acl}: {1000 * (seen - t0):.0f} ms", flush=True)
    return found


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(stack: StackInfo, samples: int, rate: int) -> dict[str, dict[str, list[float]]]:
    run_id = uuid.uuid4().hex[:8]
    database = f"pacbot_bench_latency_{run_id}"
    await fresh_database(stack, database)
    bootstrap = stack.kafka_bootstrap
    await KafkaBus(bootstrap, client_id="bench").ensure_topics(list(TOPICS))
    bucket = f"latency-{run_id}"
    s3 = aws(stack, "s3")
    s3.create_bucket(Bucket=bucket)
    queue_url = aws(stack, "sqs").create_queue(QueueName=f"pacbot-changes-{run_id}")["QueueUrl"]
    groups = {name: f"{name}_lat_{run_id}" for name in SERVICES}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    counts = await _partition_map(producer, TOPICS)
    for name in ("assessor", "violations"):
        topics = [t for t, who in TOPIC_CONSUMERS.items() if name in who]
        await start_group_at_end(bootstrap, groups[name], _partitions(topics, counts))
    reader = await _reader_at_end(_partitions([VIOLATIONS_TOPIC], counts), bootstrap)
    ports = {name: free_port() for name in SERVICES}
    secret = uuid.uuid4().hex * 2
    extra = {
        "PACBOT_INTERNAL_SECRET": secret,
        "PACBOT_ASSESSOR_REPLAY_ON_DEPLOY": "false",
        "PACBOT_VIOLATIONS_TALLY_GROUPS": "0",
        "PACBOT_VIOLATIONS_SNAPSHOT_INTERVAL_SECONDS": "0",
        "PACBOT_INVENTORY_CHANGE_QUEUE_URL": queue_url,
        "PACBOT_INVENTORY_CHANGE_QUEUE_WAIT_SECONDS": "5",
        "PACBOT_INVENTORY_SEARCH_ALIAS": f"pacbot-lat-{run_id}",
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    }
    for name in SERVICES:
        prefix = f"PACBOT_{name.upper()}_"
        extra[prefix + "SERVICE_NAME"] = groups[name]
        extra[prefix + "LOG_LEVEL"] = "WARNING"
        extra[prefix + "LOG_JSON"] = "false"
    for key, value in os.environ.items():
        if key.startswith("BENCH_PACBOT_"):  # e.g. BENCH_PACBOT_ASSESSOR_OUTBOX_POLL_SECONDS
            extra[key[len("BENCH_") :]] = value
    env = service_env(stack, database, ports, extra)
    logs = Path(tempfile.mkdtemp(prefix=f"pacbot-bench-latency-{run_id}-"))
    procs: list[asyncio.subprocess.Process] = []
    try:
        for name in SERVICES:
            log = logs / f"{name}.log"
            with log.open("wb") as out:
                proc = await asyncio.create_subprocess_exec(
                    str(BINDIR / f"pacbot-{name}"), env=env, stdout=out, stderr=STDOUT
                )
            procs.append(proc)
            await _ready(name, f"http://127.0.0.1:{ports[name]}", proc, log)
        auth = InternalAuth(InternalTokens(secret), caller="bench", audience=groups["inventory"])
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{ports['inventory']}", timeout=60, auth=auth
        ) as inventory:
            state = [False]
            # warm-up: the first event discovers the bucket and opens its violations
            await _phase("warm-up", 1, stack, inventory, queue_url, reader, bucket, state)
            idle = await _phase("idle", samples, stack, inventory, queue_url, reader, bucket, state)
            stop = asyncio.Event()
            loader = asyncio.create_task(_load(producer, rate, stop))
            await asyncio.sleep(3)
            loaded = await _phase(
                "loaded", samples, stack, inventory, queue_url, reader, bucket, state
            )
            stop.set()
            sent = await loader
            print(f"  background load: {sent} asset events", flush=True)
        return {"idle": idle, "loaded": loaded}
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in procs:  # a service still working through a backlog gets 20 s to stop
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await reader.stop()
        await producer.stop()
        print(f"logs in {logs}", flush=True)


def main() -> int:
    exit_on_sigterm()
    samples = int(os.environ.get("BENCH_SAMPLES", "30"))
    rate = int(os.environ.get("BENCH_LOAD_RATE", "300"))
    stack = DevStack().info()
    phases = asyncio.run(run(stack, samples, rate))
    figures: list[Figure] = []
    details: dict[str, Any] = {"load_rate_per_s": rate, "samples_per_route": samples}
    for phase, target in (("idle", 1.0), ("loaded", 3.0)):
        every = phases[phase]["http"] + phases[phase]["sqs"]
        label = phase if phase == "idle" else f"loaded ({rate} assets/s)"
        for route, values in (*phases[phase].items(), ("all", every)):
            p50, p95 = _pct(values, 0.5), _pct(values, 0.95)
            print(f"{label} {route}: n={len(values)} p50 {p50:.3f}s p95 {p95:.3f}s")
            details[f"{phase}_{route}_mean_s"] = statistics.fmean(values)
            details[f"{phase}_{route}_max_s"] = max(values)
            figures.append(Figure(f"{label} {route} p50", p50, "s", None, better="lower"))
            figures.append(Figure(f"{label} {route} p95", p95, "s", target, better="lower"))
    print(f"recorded {record('latency', figures, details)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
