"""End-to-end autofix on embedded adapters: violation events in, S3 changes in moto out."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi import FastAPI

from pacbot.common.bus import MemoryBus
from pacbot.common.events import (
    AUTOFIX_TOPIC,
    VIOLATIONS_TOPIC,
    AssetSummary,
    AutofixSpec,
    Envelope,
    FixChanged,
    PolicyRef,
    ViolationChanged,
    utcnow,
)
from pacbot.common.testing import eventually, signed_client

from .conftest import ACCOUNT, FakePeers

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def public_bucket(s3: Any) -> str:
    name = f"public-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    return name


def block_of(s3: Any, bucket: str) -> dict[str, bool] | None:
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        return None


def violation(
    bucket: str,
    event_type: str = "pacbot.violation.opened",
    *,
    account: str = ACCOUNT,
    grace: float = 0.3,
    action: str = "s3-block-public-access",
) -> ViolationChanged:
    status = {"pacbot.violation.exempted": "exempted", "pacbot.violation.closed": "closed"}
    return ViolationChanged(
        event_type=event_type,  # type: ignore[arg-type]
        violation_id=f"v-{bucket}",
        asset=AssetSummary(
            asset_id=f"arn:aws:s3:::{bucket}",
            account_id=account,
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=bucket,
            owner="team-a@example.com",
        ),
        policy=PolicyRef(
            policy_id="aws-s3-public-access-block",
            name="S3 public access block",
            severity="high",
            category="security",
            autofix=AutofixSpec(action=action, grace_seconds=grace),
        ),
        status=status.get(event_type, "open"),  # type: ignore[arg-type]
        reason="public access block missing",
        asset_version=1,
        episode=1,
        occurred_at=utcnow(),
    )


async def publish(bus: MemoryBus, event: ViolationChanged) -> None:
    envelope = Envelope.wrap(event, source="violations", subject=event.violation_id)
    await bus.publish(VIOLATIONS_TOPIC, envelope, key=event.violation_id)


async def plans(app: FastAPI, **params: str) -> list[dict[str, Any]]:
    async with signed_client(app, "http://a") as http:
        response = await http.get("/plans", params=params)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def plan_in(app: FastAPI, status: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = await plans(app, status=status)
        return found[0] if found else None

    found: dict[str, Any] = await eventually(probe, timeout=10, what=f"a {status} plan")
    return found


def fix_events(bus: MemoryBus) -> list[FixChanged]:
    return [Envelope.decode(m.value).payload_as(FixChanged) for m in bus.messages(AUTOFIX_TOPIC)]


async def test_open_violation_is_fixed_after_grace_with_backup(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app()
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=0.5))

    waiting = await plan_in(app, "waiting")
    assert waiting["notified_at"] is not None
    assert peers.notifications[0]["owner"] == "team-a@example.com"
    assert peers.notifications[0]["plan_id"] == waiting["plan_id"]
    assert block_of(s3, bucket) is None

    applied = await plan_in(app, "applied")
    assert applied["plan_id"] == waiting["plan_id"]
    assert applied["applied_at"] is not None
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
    assert applied["backup"]["PublicAccessBlock"] is None
    uris = [g["Grantee"].get("URI", "") for g in applied["backup"]["Acl"]["Grants"]]
    assert "http://acs.amazonaws.com/groups/global/AllUsers" in uris
    assert peers.violation_reads == [f"v-{bucket}"]
    await eventually(lambda: _ready(len(fix_events(bus)) == 3), timeout=5, what="3 events")
    assert [e.event_type for e in fix_events(bus)] == [
        "pacbot.fix.planned",
        "pacbot.fix.notified",
        "pacbot.fix.applied",
    ]
    assert all(not e.dry_run for e in fix_events(bus))


async def test_dry_run_records_the_intent_and_leaves_the_bucket(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(dry_run=True)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=0))

    plan = await plan_in(app, "dry_run")
    assert plan["dry_run"] is True
    assert "would" in plan["detail"]
    assert plan["applied_at"] is None
    assert plan["backup"]["PublicAccessBlock"] is None
    assert block_of(s3, bucket) is None


async def test_exempted_before_due_cancels_and_leaves_the_bucket(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app()
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=0.6))
    await plan_in(app, "waiting")
    await publish(bus, violation(bucket, "pacbot.violation.exempted"))

    cancelled = await plan_in(app, "cancelled")
    await asyncio.sleep(1.0)
    assert (await plans(app))[0]["status"] == "cancelled"
    assert "exempted" in cancelled["detail"]
    assert block_of(s3, bucket) is None
    assert peers.violation_reads == []
    assert fix_events(bus)[-1].event_type == "pacbot.fix.skipped"


@pytest.mark.parametrize(("allowed", "account"), [([ACCOUNT], "999999999999"), (None, ACCOUNT)])
async def test_accounts_off_the_allow_list_get_no_plan(
    make_app: Any, s3: Any, peers: FakePeers, allowed: list[str] | None, account: str
) -> None:
    app, bus = await make_app(allowed_accounts=allowed)
    bucket = public_bucket(s3)
    await publish(bus, violation(bucket, account=account, grace=0))
    await bus.drain(timeout=5)
    await asyncio.sleep(0.2)
    assert await plans(app) == []
    assert peers.notifications == []
    assert bus.messages(AUTOFIX_TOPIC) == []
    assert block_of(s3, bucket) is None


async def test_unregistered_action_gets_no_plan(make_app: Any, s3: Any) -> None:
    app, bus = await make_app()
    await publish(bus, violation(public_bucket(s3), action="no-such-fix"))
    await bus.drain(timeout=5)
    assert await plans(app) == []


async def test_violation_resolved_meanwhile_is_skipped(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app()
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "closed"
    await publish(bus, violation(bucket, grace=0))

    plan = await plan_in(app, "skipped")
    assert "closed" in plan["detail"]
    assert block_of(s3, bucket) is None


async def test_already_compliant_resource_is_skipped(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app()
    bucket = public_bucket(s3)
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, True)
    )
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=0))

    plan = await plan_in(app, "skipped")
    assert plan["detail"] == "resource is already compliant"
    assert plan["backup"] is None


async def test_waiting_plans_survive_a_restart(make_app: Any, s3: Any, peers: FakePeers) -> None:
    first, bus = await make_app(timer_poll_seconds=3600)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=0.2))
    waiting = await plan_in(first, "waiting")
    await asyncio.sleep(0.4)
    assert (await plans(first))[0]["status"] == "waiting"

    second, _ = await make_app()
    applied = await plan_in(second, "applied")
    assert applied["plan_id"] == waiting["plan_id"]
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)


async def test_unknown_plan_is_404(make_app: Any) -> None:
    app, _ = await make_app()
    async with signed_client(app, "http://a") as http:
        response = await http.get("/plans/fp-missing")
        bad_filter = await http.get("/plans", params={"status": "bogus"})
    assert response.status_code == 404
    assert response.json()["field"] == "plan_id"
    assert bad_filter.status_code == 422


@pytest.mark.parametrize("offset", [2**63, 10**30, 10_000_001])
async def test_an_offset_past_the_bound_is_a_422_not_a_database_overflow(
    make_app: Any, offset: int
) -> None:
    app, _ = await make_app()
    async with signed_client(app, "http://a") as http:
        response = await http.get("/plans", params={"offset": offset})
        deepest = await http.get("/plans", params={"offset": 10_000_000})
    assert (response.status_code, response.json()["field"]) == (422, "offset")
    assert (deepest.status_code, deepest.json()["items"]) == (200, [])


async def _ready(value: bool) -> bool:
    return value
