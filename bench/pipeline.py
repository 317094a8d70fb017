"""Assessment through the Kafka pipeline: asset events in, evaluation events out.

Starts an assessor (KafkaBus on the dev stack's broker, a PostgreSQL schema of its own) with the
shipped pack, publishes N `asset.upserted` events for S3 buckets, and times until N
`asset.evaluated` events have been produced. Needs `pacbot dev up`.

It shares the broker with whatever else runs there, so it deletes no topic: the assessor's
fresh consumer group starts at the current end of `pacbot.assets.v1`, the reader counts only
this run's assets, and the assessor's schema is dropped afterwards. The events are encoded
before the clock starts and the evaluations are counted from their raw JSON, so the driver
spends little of the CPU it shares with the assessor.
Run with `make bench-pipeline` (BENCH_EVENTS, default 2000).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import text

from pacbot.assessor.app import create_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.cli.devstack import DevStack
from pacbot.common.bus import KafkaBus
from pacbot.common.db import Database
from pacbot.common.events import (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    AssetSummary,
    AssetUpserted,
    Envelope,
    utcnow,
)
from pacbot.common.testing import start_group_at_end


def _bucket(run: str, i: int) -> dict[str, Any]:
    public = i % 3 == 0
    name = f"pipe-{run}-{i}"
    return {
        "Name": name,
        "Arn": f"arn:aws:s3:::{name}",
        "Region": "us-east-1",
        "PublicAclGrants": ["READ"] if public else [],
        "PolicyStatus": None,
        "PublicAccessBlock": None,
        "Encryption": None if i % 2 else {"Rules": [{"ApplyServerSideEncryptionByDefault": {}}]},
        "Versioning": {"Status": "Enabled" if i % 4 == 0 else None, "MFADelete": None},
        "Logging": None,
        "Lifecycle": None,
        "Policy": None,
        "Tags": {"Owner": f"team-{i % 5}"},
    }


def _event(run: str, i: int) -> Envelope:
    config = _bucket(run, i)
    asset = AssetSummary(
        asset_id=config["Arn"],
        account_id="123456789012",
        region="us-east-1",
        resource_type="aws.s3.bucket",
        name=config["Name"],
        tags=config["Tags"],
    )
    data = AssetUpserted(
        asset=asset,
        version=1,
        config=config,
        config_hash=uuid.uuid4().hex,
        discovered_at=utcnow(),
    )
    return Envelope.wrap(data, source="bench", subject=asset.asset_id)


async def _partitions(producer: AIOKafkaProducer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))]


async def _reader_at_end(parts: list[TopicPartition], bootstrap: str) -> AIOKafkaConsumer:
    """A consumer of ``parts`` positioned after everything already in them."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    return consumer


async def _drop_schema(url: str, schema: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await db.dispose()


async def run(count: int) -> None:
    """Publish ``count`` upserts and wait for as many evaluations."""
    stack = DevStack().up()
    run_id = uuid.uuid4().hex[:6]
    settings = AssessorSettings(
        database_url=stack.postgres_url,
        bus="kafka",
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        log_json=False,
        log_level="WARNING",
        replay_on_deploy=False,  # no inventory here: the bench publishes the asset events itself
        internal_secret=os.environ.get("PACBOT_INTERNAL_SECRET") or secrets.token_urlsafe(48),
    )
    settings = settings.model_copy(update={"service_name": f"assessor_bench_{run_id}"})
    bootstrap = stack.kafka_bootstrap
    await KafkaBus(bootstrap, client_id="bench").ensure_topics([ASSETS_TOPIC, EVALUATIONS_TOPIC])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        await start_group_at_end(
            bootstrap, settings.service_name, await _partitions(producer, ASSETS_TOPIC)
        )
        evaluations = await _partitions(producer, EVALUATIONS_TOPIC)
        await _measure(settings, producer, evaluations, run_id, count)
    finally:
        await producer.stop()
        await _drop_schema(stack.postgres_url, settings.db_schema)


async def _measure(
    settings: AssessorSettings,
    producer: AIOKafkaProducer,
    evaluations: list[TopicPartition],
    run_id: str,
    count: int,
) -> None:
    """Run the assessor, publish ``count`` upserts and time until their evaluations are out."""
    bootstrap = settings.kafka_bootstrap_servers or ""
    encoded = [(e.subject.encode(), e.encode()) for e in (_event(run_id, i) for i in range(count))]
    prefix = f"arn:aws:s3:::pipe-{run_id}-".encode()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        reader = await _reader_at_end(evaluations, bootstrap)
        try:
            start, cpu = time.perf_counter(), time.process_time()
            for key, value in encoded:
                await producer.send(ASSETS_TOPIC, value, key=key)
            await producer.flush()
            published = time.perf_counter()
            assets: set[bytes] = set()
            ids: set[str] = set()
            delivered = results = 0
            while len(assets) < count and time.perf_counter() - start < 600:
                batches = await reader.getmany(timeout_ms=1000)
                for records in batches.values():
                    for record in records:
                        if record.key and record.key.startswith(prefix):
                            evaluation = json.loads(record.value)
                            delivered += 1
                            ids.add(evaluation["id"])
                            if record.key not in assets:
                                assets.add(record.key)
                                results += len(evaluation["data"]["results"])
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            await reader.stop()
    print(f"published {count} asset events in {published - start:.2f}s")
    seen = len(assets)
    print(f"{seen} assets evaluated ({results} policy results) after {elapsed:.2f}s")
    if delivered > seen:
        # at-least-once resends keep their id; new ids come from another assessor on this broker
        # (e.g. an e2e run's), which evaluates these assets too
        print(f"   {delivered - seen} extra deliveries, {len(ids) - seen} of them with a new id")
    print(
        f"=> {seen / elapsed:,.0f} asset events/s, {results / elapsed:,.0f} policy evaluations/s "
        f"end to end through Kafka + PostgreSQL (policies per asset: {results // max(seen, 1)})"
    )
    # On a busy machine the wall clock mostly measures the neighbours; the CPU time does not.
    print(
        f"   this process used {cpu:.2f}s of CPU: {1000 * cpu / max(seen, 1):.2f} ms per asset "
        f"event (at most {seen / cpu:,.0f} events/s on one free core)"
    )


def main() -> None:
    """Entry point."""
    asyncio.run(run(int(os.environ.get("BENCH_EVENTS", "2000"))))


if __name__ == "__main__":
    main()
