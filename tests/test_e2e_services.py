"""The whole loop across six service processes over real Kafka, PostgreSQL, OpenSearch and moto."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import httpx
import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.cli.devstack import StackInfo
from pacbot.common.events import ASSETS_TOPIC, VIOLATIONS_TOPIC, dead_letter_topic
from pacbot.common.testing import eventually
from tests.lifecycle_scenario import run_lifecycle_scenario
from tests.scenario import run_scenario
from tests.services import SERVICES, free_port, running_services, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.real]


async def _fresh_kafka(bootstrap: str) -> None:
    """Drop the PacBot topics so a re-run starts from an empty log (services recreate them)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [t for t in existing if t.startswith("pacbot.")]
        if doomed:
            await admin.delete_topics(doomed)
            await asyncio.sleep(2)
    finally:
        await admin.close()


async def _fresh_database(stack: StackInfo, name: str) -> None:
    conn = await asyncpg.connect(stack.postgres_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@pytest.fixture
async def cluster(stack: StackInfo, aws_env: str, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """Six service processes on fresh topics, a fresh database and a reset moto."""
    await _fresh_kafka(stack.kafka_bootstrap)
    await _fresh_database(stack, "pacbot_e2e")
    httpx.post(f"{stack.moto_url}/moto-api/reset", timeout=60).raise_for_status()
    async with httpx.AsyncClient() as client:
        await client.delete(f"{stack.opensearch_url}/pacbot-assets-v1")
    ports = {name: free_port() for name in SERVICES}
    env = service_env(
        stack,
        "pacbot_e2e",
        ports,
        {
            "PACBOT_AUTOFIX_ALLOWED_ACCOUNTS": '["123456789012"]',
            "PACBOT_AUTOFIX_GRACE_OVERRIDE_SECONDS": "4",
            "PACBOT_AUTOFIX_TIMER_POLL_SECONDS": "0.5",
            "PACBOT_EXCEPTIONS_EXPIRY_POLL_SECONDS": "0.5",
            "PACBOT_INVENTORY_SEARCH_REFRESH": "true",
            "PACBOT_INVENTORY_REGIONS": '["us-east-1"]',
        },
    )
    with running_services(env, ports, tmp_path / "logs") as urls:
        yield urls


async def test_loop_across_six_processes(cluster: dict[str, str], stack: StackInfo) -> None:
    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name="us-east-1")
    async with httpx.AsyncClient(base_url=cluster["gateway"], timeout=60) as api:
        ready = (await api.get("/readyz")).json()
        assert ready["ready"] is True
        inventory_ready = httpx.get(f"{cluster['inventory']}/readyz").json()
        assert inventory_ready["checks"] == {"database": True, "bus": True, "search": True}
        await run_scenario(api, s3, "e2e", timeout=90)
    async with httpx.AsyncClient(base_url=cluster["inventory"]) as inventory:
        search = (await inventory.get("/assets/search", params={"q": "e2e"})).json()
        assert search["facets"]["resource_type"] == {"aws.s3.bucket": 2}


async def test_malformed_event_is_dead_lettered_and_consumers_keep_going(
    cluster: dict[str, str], stack: StackInfo
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(ASSETS_TOPIC, b"{not an event", key=b"garbage")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        dead_letter_topic(ASSETS_TOPIC),
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id="e2e-dlq-reader",
    )
    await consumer.start()
    try:

        async def dead_letters() -> list[dict[str, bytes]]:
            batches = await consumer.getmany(timeout_ms=1000)
            return [dict(r.headers) for recs in batches.values() for r in recs]

        headers = await eventually(dead_letters, timeout=60, what="a dead letter")
    finally:
        await consumer.stop()
    assert headers[0]["pacbot-original-topic"] == ASSETS_TOPIC.encode()
    assert b"not a CloudEvents envelope" in headers[0]["pacbot-error"]

    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name="us-east-1")
    s3.create_bucket(Bucket="after-garbage")
    s3.delete_bucket_encryption(Bucket="after-garbage")
    async with httpx.AsyncClient(base_url=cluster["gateway"], timeout=60) as api:
        (await api.post("/api/v1/scans", json={})).raise_for_status()

        async def flagged() -> list[dict[str, object]]:
            items = (await api.get("/api/v1/violations", params={"status": "open"})).json()["items"]
            return [v for v in items if v["asset_name"] == "after-garbage"]

        assert await eventually(flagged, timeout=60, what="the next event still handled")


SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "events"


async def _violation_events(bootstrap: str, wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Read pacbot.violations.v1 as an outside team would: its own group, the published schemas."""
    envelope_schema = json.loads((SCHEMAS / "envelope.json").read_text())
    data_schema = json.loads((SCHEMAS / "ViolationChanged.json").read_text())
    consumer = AIOKafkaConsumer(
        VIOLATIONS_TOPIC,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id="e2e-outside-dashboard",
        enable_auto_commit=False,
    )
    seen: dict[str, list[dict[str, Any]]] = {}
    await consumer.start()
    try:

        async def read() -> dict[str, list[dict[str, Any]]] | None:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    assert record.value is not None
                    envelope = json.loads(record.value)
                    jsonschema.validate(envelope, envelope_schema)
                    jsonschema.validate(envelope["data"], data_schema)
                    data = envelope["data"]
                    assert record.key == data["violation_id"].encode()
                    seen.setdefault(data["violation_id"], []).append(data)
            prod = seen.get(next(iter(sorted(wanted))), [])
            done = wanted <= set(seen) and len(prod) >= 3
            return seen if done else None

        return await eventually(read, timeout=60, what="the violation events")
    finally:
        await consumer.stop()


async def test_exception_and_policy_lifecycle_across_processes(
    cluster: dict[str, str], stack: StackInfo
) -> None:
    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name="us-east-1")
    async with httpx.AsyncClient(base_url=cluster["gateway"], timeout=60) as api:
        outcome = await run_lifecycle_scenario(api, s3, "life", timeout=90)
    events = await _violation_events(
        stack.kafka_bootstrap, {outcome.prod_violation_id, outcome.new_sandbox_violation_id}
    )
    prod = events[outcome.prod_violation_id]
    assert [(e["event_type"].rsplit(".", 1)[-1], e["sequence"]) for e in prod] == [
        ("opened", 1),
        ("closed", 2),
        ("reopened", 3),
    ], prod
    assert prod[1]["close_reason"] == "policy_disabled"
    assert [e["episode"] for e in prod] == [1, 1, 2]
    born = events[outcome.new_sandbox_violation_id]
    assert born[0]["event_type"] == "pacbot.violation.exempted"
    assert born[0]["exception_id"] == outcome.sticky_exception_id
