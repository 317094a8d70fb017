"""The whole loop across six service processes over real Kafka, PostgreSQL, OpenSearch and moto."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import boto3
import httpx
import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.cli.demo import SmtpSink, smtp_sink
from pacbot.cli.devstack import StackInfo
from pacbot.common.events import ASSETS_TOPIC, VIOLATIONS_TOPIC, dead_letter_topic
from pacbot.common.testing import eventually
from tests.actors import ADMIN, ALICE, BOB, TEAM, VIEWER, Actors, actors
from tests.lifecycle_scenario import run_lifecycle_scenario
from tests.scenario import PUBLIC, run_scenario
from tests.services import (
    SERVICES,
    Cluster,
    free_port,
    fresh_database,
    fresh_search_alias,
    running_services,
    service_env,
)

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


@pytest.fixture
async def mail() -> AsyncIterator[SmtpSink]:
    """The owners' mailbox: a real SMTP server in this test's event loop."""
    async with smtp_sink() as sink:
        yield sink


@pytest.fixture
async def cluster(
    stack: StackInfo, aws_env: str, tmp_path: Path, mail: SmtpSink
) -> AsyncIterator[Cluster]:
    """Six service processes on fresh topics, a fresh database and a reset moto; AutoFix fixes
    public buckets in the moto account and emails owners through ``mail``."""
    await _fresh_kafka(stack.kafka_bootstrap)
    await fresh_database(stack, "pacbot_e2e")
    httpx.post(f"{stack.moto_url}/moto-api/reset", timeout=60).raise_for_status()
    async with fresh_search_alias(stack.opensearch_url, "e2e-services") as search:
        ports = {name: free_port() for name in SERVICES}
        env = service_env(stack, "pacbot_e2e", ports, {**search, **_settings(mail)})
        with running_services(env, ports, tmp_path / "logs") as urls:
            yield Cluster(urls, env)


def _settings(mail: SmtpSink) -> dict[str, str]:
    """AutoFix fixes public buckets in the moto account, mails ``mail``; fast timers."""
    return {
        "PACBOT_AUTOFIX_POLICIES": json.dumps({PUBLIC: {}}),
        "PACBOT_AUTOFIX_ALLOWED_ACCOUNTS": '["123456789012"]',
        "PACBOT_AUTOFIX_SMTP_HOST": mail.host,
        "PACBOT_AUTOFIX_SMTP_PORT": str(mail.port),
        "PACBOT_AUTOFIX_NOTIFY_POLL_SECONDS": "0.5",
        "PACBOT_AUTOFIX_GRACE_OVERRIDE_SECONDS": "4",
        "PACBOT_AUTOFIX_TIMER_POLL_SECONDS": "0.5",
        "PACBOT_EXCEPTIONS_EXPIRY_POLL_SECONDS": "0.5",
        "PACBOT_INVENTORY_SEARCH_REFRESH": "true",
        "PACBOT_INVENTORY_REGIONS": '["us-east-1"]',
        # the scenarios poll at up to ~20 calls a second for minutes with one key; the limit
        # is there for runaway scripts, not for this
        "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
    }


def people(cluster: Cluster) -> AbstractAsyncContextManager[Actors]:
    """The admin (bootstrapped with the CLI), Alice and Bob (keys the admin made)."""
    return actors(cluster.key, cluster.gateway)


async def test_loop_across_six_processes(
    cluster: Cluster, stack: StackInfo, mail: SmtpSink
) -> None:
    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name="us-east-1")
    async with people(cluster) as acting:
        ready = (await acting.admin.get("/readyz")).json()
        assert ready["ready"] is True
        inventory_ready = httpx.get(f"{cluster.urls['inventory']}/readyz").json()
        assert inventory_ready["checks"] == {"database": True, "bus": True, "search": True}
        await run_scenario(acting, s3, "e2e", timeout=90)
        # the fix waited for a notice the owner's mailbox accepted; the episode that was
        # exempted had its own plan and notice (cancelled when the exception was granted)
        notices = [m for m in mail.messages if m.kind == "notice"]
        outcomes = [m for m in mail.messages if m.kind == "outcome"]
        assert {m.to for m in notices} == {TEAM}, mail.messages
        assert [m.to for m in outcomes] == [TEAM], mail.messages
        assert outcomes[0].ref in {m.ref for m in notices}, mail.messages
        await _strangers_are_refused(cluster, acting.admin)
        await _audit_names_every_actor(acting.admin)
    async with cluster.signed("inventory") as inventory:
        search = (await inventory.get("/assets/search", params={"q": "e2e"})).json()
        assert search["facets"]["resource_type"] == {"aws.s3.bucket": 2}


def _is_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"type", "title", "status", "detail", "error"} <= set(response.json()), response.text


async def _strangers_are_refused(cluster: Cluster, admin: httpx.AsyncClient) -> None:
    """What a new user meets: no key, too weak a key, forged headers, the services' own ports."""
    async with cluster.gateway() as anonymous:
        _is_problem(await anonymous.get("/api/v1/violations"), 401)
    before = (await admin.get(f"/api/v1/policies/{PUBLIC}")).json()
    async with cluster.gateway(await cluster.key(VIEWER)) as viewer:
        disable = {"enabled": False, "reason": "I should not be able to"}
        _is_problem(await viewer.patch(f"/api/v1/policies/{PUBLIC}", json=disable), 403)
        forged = {"X-PacBot-User": ADMIN.subject, "X-PacBot-Roles": "admin"}
        attempt = await viewer.patch(f"/api/v1/policies/{PUBLIC}", json=disable, headers=forged)
        _is_problem(attempt, 403)
        me = (await viewer.get("/api/v1/me", headers=forged)).json()
        assert (me["subject"], me["roles"]) == (VIEWER.subject, ["viewer"])
    after = (await admin.get(f"/api/v1/policies/{PUBLIC}")).json()
    assert (after["enabled"], after["revision"]) == (before["enabled"], before["revision"])
    assert after["enabled"] is True
    async with httpx.AsyncClient(base_url=cluster.urls["violations"], timeout=30) as direct:
        for path in ("/violations", "/openapi.json", "/docs"):
            _is_problem(await direct.get(path), 401)


async def _audit_names_every_actor(admin: httpx.AsyncClient) -> None:
    """The gateway's audit has the script's mutating (and refused) calls, each with its actor."""
    answer = await admin.get("/api/v1/audit", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    rows = [
        (e["method"], e["route"], e["actor"], e["outcome"])
        for e in reversed(answer.json()["items"])
    ]
    exceptions = "/api/v1/exceptions"
    viewer_patch = ("PATCH", "/api/v1/policies/{policy_id}", VIEWER.subject, "denied")
    assert rows == [
        ("POST", "/api/v1/keys", ADMIN.subject, "success"),  # Alice's key
        ("POST", "/api/v1/keys", ADMIN.subject, "success"),  # Bob's key
        ("POST", "/api/v1/scans", ADMIN.subject, "success"),
        ("POST", exceptions, ALICE.subject, "success"),
        ("POST", exceptions + "/{exception_id}/approve", BOB.subject, "success"),
        ("POST", exceptions, ALICE.subject, "rejected"),  # expires_at in the past
        ("POST", exceptions + "/{exception_id}/revoke", BOB.subject, "success"),
        ("POST", "/api/v1/scans", ADMIN.subject, "success"),
        ("GET", "/api/v1/violations", None, "denied"),  # no credential
        ("POST", "/api/v1/keys", ADMIN.subject, "success"),  # the viewer's key
        viewer_patch,
        viewer_patch,  # with forged identity headers
    ], rows


async def test_malformed_event_is_dead_lettered_and_consumers_keep_going(
    cluster: Cluster, stack: StackInfo
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
    async with cluster.gateway(await cluster.admin_key()) as api:
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
    cluster: Cluster, stack: StackInfo
) -> None:
    s3 = boto3.client("s3", endpoint_url=stack.moto_url, region_name="us-east-1")
    async with people(cluster) as acting:
        outcome = await run_lifecycle_scenario(acting, s3, "life", timeout=90)
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
