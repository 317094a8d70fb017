"""Violation events as an outside team sees them: the violations service on the real PostgreSQL
and Kafka, and a plain aiokafka consumer in its own group that trusts only the published schemas.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from sqlalchemy import text

from pacbot.cli.devstack import StackInfo
from pacbot.common.bus import KafkaBus
from pacbot.common.db import Database
from pacbot.common.events import (
    ASSETS_TOPIC,
    AUTOFIX_TOPIC,
    EVALUATIONS_TOPIC,
    EXCEPTIONS_TOPIC,
    POLICIES_TOPIC,
    VIOLATIONS_TOPIC,
    AssetSummary,
    Envelope,
    ViolationChanged,
)
from pacbot.common.testing import start_group_at_end
from pacbot.violations.app import create_app
from pacbot.violations.lifecycle.transitions import violation_id
from pacbot.violations.settings import ViolationsSettings
from services.violations.tests.conftest import PUBLIC, ViolationsKit

pytestmark = [pytest.mark.real]

SCHEMAS = Path(__file__).resolve().parents[3] / "docs" / "events"
STEPS = ("fail", "pass", "fail", "pass")  # opened, closed, reopened, closed


def _validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


CONSUMED = [EVALUATIONS_TOPIC, ASSETS_TOPIC, EXCEPTIONS_TOPIC, POLICIES_TOPIC, AUTOFIX_TOPIC]


async def _caught_up(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit ``group``'s offsets at the end of ``topics``: a service that has read everything
    other tests left on the shared broker, so it handles only this test's events."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
    ]
    assert {tp.topic for tp in partitions} == set(topics)
    await start_group_at_end(bootstrap, group, partitions)


@pytest.fixture
async def violations_on_kafka(stack: StackInfo, unique: str) -> AsyncIterator[FastAPI]:
    """The violations app on Kafka and PostgreSQL, in a schema and consumer group of its own."""
    name = f"violations_{unique}"
    settings = ViolationsSettings(
        database_url=stack.postgres_url,
        bus="kafka",
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        service_name=name,
        log_json=False,
        log_level="WARNING",
    )
    await KafkaBus(stack.kafka_bootstrap, client_id=name).ensure_topics(
        [*CONSUMED, VIOLATIONS_TOPIC]
    )
    await _caught_up(stack.kafka_bootstrap, name, CONSUMED)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        db = Database(stack.postgres_url)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await db.dispose()


async def test_outside_consumer_sees_each_violation_opened_to_closed_in_order(
    violations_on_kafka: FastAPI, stack: StackInfo, unique: str
) -> None:
    kit = ViolationsKit(Path("."))
    assets = [
        AssetSummary(
            asset_id=f"arn:aws:s3:::kafka-{unique}-{i}",
            account_id="123456789012",
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=f"kafka-{unique}-{i}",
        )
        for i in range(3)
    ]
    wanted = {violation_id(a.asset_id, PUBLIC.policy_id) for a in assets}
    envelope_schema, data_schema = _validator("envelope"), _validator("ViolationChanged")

    consumer = AIOKafkaConsumer(
        VIOLATIONS_TOPIC,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=f"outside-team-{unique}",
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await consumer.start()
    await producer.start()
    seen: dict[str, list[tuple[int, int, dict[str, Any]]]] = {v: [] for v in wanted}
    ids: set[str] = set()
    try:
        for version, status in enumerate(STEPS, start=1):
            for asset in assets:
                event = kit.evaluated(version, version, asset, public=status)
                envelope = Envelope.wrap(event, source="outside-test", subject=asset.asset_id)
                await producer.send_and_wait(
                    EVALUATIONS_TOPIC, envelope.encode(), key=asset.asset_id.encode()
                )
        deadline = time.monotonic() + 120
        while any(len(s) < len(STEPS) for s in seen.values()) and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    key = record.key.decode() if record.key else ""
                    if key not in wanted:
                        continue  # other tests share the topic
                    raw = json.loads(record.value)
                    envelope_schema.validate(raw)
                    data_schema.validate(raw["data"])
                    if raw["id"] in ids:
                        continue  # delivery is at least once: a consumer dedupes by event id
                    ids.add(raw["id"])
                    seen[key].append((record.partition, record.offset, raw))
    finally:
        await producer.stop()
        await consumer.stop()

    for vid, records in seen.items():
        assert len({partition for partition, _, _ in records}) == 1, (
            records
        )  # one key, one partition
        assert [offset for _, offset, _ in records] == sorted(offset for _, offset, _ in records)
        changes = [
            Envelope.decode(json.dumps(raw)).payload_as(ViolationChanged) for *_, raw in records
        ]
        assert [raw["subject"] for *_, raw in records] == [vid] * len(STEPS)
        assert [(c.event_type.rsplit(".", 1)[-1], c.episode, c.sequence) for c in changes] == [
            ("opened", 1, 1),
            ("closed", 1, 2),
            ("reopened", 2, 3),
            ("closed", 2, 4),
        ], vid
        assert [c.close_reason for c in changes] == [None, "fixed", None, "fixed"]
        assert [c.asset_version for c in changes] == [1, 2, 3, 4]
