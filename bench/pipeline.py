"""Assessment through the Kafka pipeline: asset events in, evaluation events out.

Starts an assessor (KafkaBus on the dev stack's broker, a PostgreSQL schema of its own) with the
shipped pack, publishes N `asset.upserted` events for S3 buckets, and times until N
`asset.evaluated` events have been produced. Needs `pacbot dev up`. It drops and recreates the
pacbot.* topics it uses.
Run with `make bench-pipeline` (BENCH_EVENTS, default 2000).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.assessor.app import create_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.cli.devstack import DevStack
from pacbot.common.events import (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    AssetSummary,
    AssetUpserted,
    Envelope,
    utcnow,
)


def _bucket(i: int) -> dict[str, Any]:
    public = i % 3 == 0
    return {
        "Name": f"pipe-{i}",
        "Arn": f"arn:aws:s3:::pipe-{i}",
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


def _event(i: int) -> Envelope:
    config = _bucket(i)
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


async def _fresh_topics(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith("pacbot.")]
        if doomed:
            await admin.delete_topics(doomed)
            await asyncio.sleep(2)
    finally:
        await admin.close()


async def run(count: int) -> None:
    """Publish ``count`` upserts and wait for as many evaluations."""
    stack = DevStack().up()
    await _fresh_topics(stack.kafka_bootstrap)
    schema_db = stack.postgres_url
    settings = AssessorSettings(
        database_url=schema_db,
        bus="kafka",
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        log_json=False,
        log_level="WARNING",
    )
    settings = settings.model_copy(
        update={"service_name": f"assessor_bench_{uuid.uuid4().hex[:6]}"}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, linger_ms=5)
        consumer = AIOKafkaConsumer(
            EVALUATIONS_TOPIC,
            bootstrap_servers=stack.kafka_bootstrap,
            group_id=f"bench-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="earliest",
        )
        await producer.start()
        await consumer.start()
        try:
            start = time.perf_counter()
            for i in range(count):
                envelope = _event(i)
                await producer.send(ASSETS_TOPIC, envelope.encode(), key=envelope.subject.encode())
            await producer.flush()
            published = time.perf_counter()
            seen = 0
            results = 0
            while seen < count and time.perf_counter() - start < 600:
                batches = await consumer.getmany(timeout_ms=1000)
                for records in batches.values():
                    for record in records:
                        seen += 1
                        results += len(Envelope.decode(record.value).data["results"])
            elapsed = time.perf_counter() - start
        finally:
            await consumer.stop()
            await producer.stop()
    print(f"published {count} asset events in {published - start:.2f}s")
    print(f"{seen} evaluation events ({results} policy results) after {elapsed:.2f}s")
    print(
        f"=> {seen / elapsed:,.0f} asset events/s, {results / elapsed:,.0f} policy evaluations/s "
        f"end to end through Kafka + PostgreSQL (policies per asset: {results // max(seen, 1)})"
    )


def main() -> None:
    """Entry point."""
    asyncio.run(run(int(os.environ.get("BENCH_EVENTS", "2000"))))


if __name__ == "__main__":
    main()
