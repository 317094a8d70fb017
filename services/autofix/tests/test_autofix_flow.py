"""End-to-end autofix on embedded adapters: violation events in, S3 changes in moto out."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

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

from .conftest import ACCOUNT, POLICY, FakePeers

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
    owner: str | None = "team-a@example.com",
    tags: dict[str, str] | None = None,
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
            tags=tags or {},
            owner=owner,
        ),
        policy=PolicyRef(
            policy_id=POLICY,
            name="S3 buckets must not be publicly accessible",
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
        response = await http.get("/fixes", params=params)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def plan_in(app: FastAPI, status: str, **params: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = await plans(app, status=status, **params)
        return found[0] if found else None

    found: dict[str, Any] = await eventually(probe, timeout=10, what=f"a {status} plan")
    return await detail(app, found["plan_id"])


async def detail(app: FastAPI, plan_id: str) -> dict[str, Any]:
    async with signed_client(app, "http://a") as http:
        response = await http.get(f"/fixes/{plan_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def steps(plan: dict[str, Any]) -> list[str]:
    return [step["step"] for step in plan["history"]]


def fix_events(bus: MemoryBus) -> list[FixChanged]:
    return [Envelope.decode(m.value).payload_as(FixChanged) for m in bus.messages(AUTOFIX_TOPIC)]


async def delivered(peers: FakePeers, kind: str) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        return peers.told(kind)

    found: list[dict[str, Any]] = await eventually(probe, timeout=5, what=f"a {kind}")
    return found


def events_of(bus: MemoryBus, plan_id: str) -> list[str]:
    return [
        e.event_type.removeprefix("pacbot.fix.") for e in fix_events(bus) if e.plan_id == plan_id
    ]


async def relayed(bus: MemoryBus, plan_id: str, last: str) -> list[str]:
    """The plan's events once the outbox has relayed the one named ``last``."""

    async def probe() -> list[str]:
        seen = events_of(bus, plan_id)
        return seen if last in seen else []

    found: list[str] = await eventually(probe, timeout=5, what=f"event {last} of {plan_id}")
    return found


async def test_the_grace_period_starts_at_the_delivered_notice_then_the_fix_lands(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=0.5)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    applied = await plan_in(app, "applied")
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
    assert applied["backup"] == {"PublicAccessBlock": None}
    assert applied["notified_at"] is not None
    assert applied["applied_at"] >= applied["notified_at"]
    assert [c["operation"] for c in applied["calls"]] == ["put_public_access_block"]
    notice = peers.told("notice")[0]
    assert notice["recipient"] == "team-a@example.com"
    assert notice["subject_ref"] == applied["plan_id"]
    assert bucket in notice["text"]
    assert steps(applied)[:3] == ["planned", "notified", "backed_up"]
    assert "applied" in steps(applied)
    assert await relayed(bus, applied["plan_id"], "applied") == [
        "planned",
        "notified",
        "backed_up",
        "applied",
    ]
    await delivered(peers, "outcome")
    assert [n["status"] for n in applied["notifications"]][-1] == "delivered"


async def test_with_no_channel_nobody_is_told_and_the_fix_is_held(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(webhook_url=None, webhook_secret=None, grace_override_seconds=0)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    held = await plan_in(app, "held")
    assert held["notified_at"] is None
    assert await relayed(bus, held["plan_id"], "held") == ["planned", "not_notified", "held"]
    assert held["notifications"][0]["status"] == "undeliverable"
    await asyncio.sleep(0.3)
    assert block_of(s3, bucket) is None


async def test_an_immediate_policy_acts_even_when_nobody_can_be_told(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        webhook_url=None, webhook_secret=None, policies={POLICY: {"immediate": True}}
    )
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, grace=3600))

    applied = await plan_in(app, "applied")
    assert applied["immediate"] is True
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)


async def test_a_failing_channel_retries_and_then_escalates_or_holds(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    peers.deliver = False
    app, bus = await make_app(grace_override_seconds=0)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    held = await plan_in(app, "held")
    assert block_of(s3, bucket) is None
    assert held["notifications"][0]["status"] == "failed"
    assert "not_notified" in steps(held)

    peers.deliver = True
    async with signed_client(app, "http://a") as http:
        response = await http.post(
            f"/fixes/{held['plan_id']}/postpone", json={"seconds": 0.2, "reason": "called them"}
        )
    assert response.status_code == 200, response.text
    await plan_in(app, "applied")
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)


async def test_an_undeliverable_owner_escalates_to_the_account_fallback(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        grace_override_seconds=0.2, fallback_addresses={ACCOUNT: "cloud-team@example.com"}
    )
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, owner=None))

    applied = await plan_in(app, "applied")
    assert peers.told("escalation")[0]["recipient"] == "cloud-team@example.com"
    assert (await relayed(bus, applied["plan_id"], "applied"))[:4] == [
        "planned",
        "not_notified",
        "escalated",
        "notified",
    ]


async def test_owner_comes_from_the_configured_tag_keys(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=30, owner_tag_keys=["Contact"])
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket, owner=None, tags={"Contact": "data@example.com"}))

    await plan_in(app, "waiting")
    assert peers.told("notice")[0]["recipient"] == "data@example.com"


async def test_reminders_are_sent_while_the_grace_period_runs(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        grace_override_seconds=1.0, reminders=2, reminder_interval_seconds=0.3
    )
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    applied = await plan_in(app, "applied")
    assert applied["reminders_sent"] == 2
    assert (await relayed(bus, applied["plan_id"], "applied")).count("reminded") == 2
    assert len(peers.told("reminder")) == 2


async def test_exempted_during_the_wait_cancels_the_plan(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=30)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    await publish(bus, violation(bucket, "pacbot.violation.exempted"))

    cancelled = await plan_in(app, "cancelled")
    assert cancelled["plan_id"] == waiting["plan_id"]
    assert (await relayed(bus, cancelled["plan_id"], "cancelled"))[-1] == "cancelled"
    assert block_of(s3, bucket) is None


async def test_exempted_at_due_time_is_rechecked_and_skipped(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=0.2)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "exempted"
    await publish(bus, violation(bucket))

    skipped = await plan_in(app, "skipped")
    assert "exempted" in skipped["detail"]
    assert block_of(s3, bucket) is None


async def test_an_account_off_the_allow_list_is_skipped_with_the_reason(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(allowed_accounts=None, policies={POLICY: {"accounts": ["999"]}})
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    skipped = await plan_in(app, "skipped")
    assert f"account {ACCOUNT} is not on the allow-list of policy {POLICY}" in skipped["detail"]
    assert peers.received == []
    assert block_of(s3, bucket) is None


async def test_a_policy_not_listed_gets_no_plan(make_app: Any, s3: Any, peers: FakePeers) -> None:
    app, bus = await make_app(policies={})
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    await asyncio.sleep(0.3)
    assert await plans(app) == []


async def test_the_exclusion_tag_and_the_creation_cutoff_stop_a_fix(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        grace_override_seconds=0,
        policies={POLICY: {"immediate": True, "created_after": "2000-01-01T00:00:00Z"}},
    )
    tagged, old = public_bucket(s3), public_bucket(s3)
    for bucket in (tagged, old):
        peers.violation_status[f"v-{bucket}"] = "open"
    peers.assets[f"arn:aws:s3:::{tagged}"] = {"tags": {"pacbot:autofix": "off"}, "config": {}}
    peers.assets[f"arn:aws:s3:::{old}"] = {
        "tags": {},
        "config": {"CreationDate": "1999-01-01T00:00:00Z"},
    }
    await publish(bus, violation(tagged))
    await publish(bus, violation(old))

    first = await plan_in(app, "skipped", violation_id=f"v-{tagged}")
    second = await plan_in(app, "skipped", violation_id=f"v-{old}")
    assert "tagged pacbot:autofix=off" in first["detail"]
    assert "before the policy's cutoff" in second["detail"]
    assert block_of(s3, tagged) is None
    assert block_of(s3, old) is None


async def test_dry_run_records_the_exact_calls_and_changes_nothing(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(policies={POLICY: {"dry_run": True, "immediate": True}})
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    dry = await plan_in(app, "dry_run")
    assert dry["calls"] == [
        {
            "service": "s3",
            "operation": "put_public_access_block",
            "params": {
                "Bucket": bucket,
                "PublicAccessBlockConfiguration": dict.fromkeys(FLAGS, True),
            },
        }
    ]
    assert block_of(s3, bucket) is None


async def test_the_blast_radius_cap_pauses_the_policy_until_resumed(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        policies={POLICY: {"immediate": True, "max_resources": 1}},
        security_address="secops@example.com",
    )
    first, second = public_bucket(s3), public_bucket(s3)
    for bucket in (first, second):
        peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(first))
    await plan_in(app, "applied", violation_id=f"v-{first}")
    await publish(bus, violation(second))

    paused = await plan_in(app, "paused", violation_id=f"v-{second}")
    assert "the cap is 1" in paused["detail"]
    assert block_of(s3, second) is None
    await delivered(peers, "paused")
    assert peers.told("paused")[0]["recipient"] == "secops@example.com"
    async with signed_client(app, "http://a") as http:
        pauses = (await http.get("/fixes/pauses", params={"active": "true"})).json()["items"]
        assert [p["policy_id"] for p in pauses] == [POLICY]
        response = await http.post(f"/fixes/pauses/{POLICY}/resume")
    assert response.status_code == 200, response.text
    assert response.json()["resumed_by"]
    # resumed, the guard still counts: one fix in the window, so it pauses again
    again = await plan_in(app, "paused", violation_id=f"v-{second}")
    assert "resumed" in steps(again)


async def test_the_share_cap_counts_the_type_in_the_account(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(policies={POLICY: {"immediate": True, "max_percent": 50}})
    peers.type_totals[(ACCOUNT, "aws.s3.bucket")] = 1
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))

    paused = await plan_in(app, "paused")
    assert "1 of 1 aws.s3.bucket" in paused["detail"]
    assert block_of(s3, bucket) is None


async def test_a_daily_digest_reaches_each_owner_once(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        grace_override_seconds=3600, digest_enabled=True, digest_interval_seconds=0.1
    )
    first, second = public_bucket(s3), public_bucket(s3)
    for bucket in (first, second):
        peers.violation_status[f"v-{bucket}"] = "open"
        await publish(bus, violation(bucket))
    await plan_in(app, "waiting", violation_id=f"v-{second}")
    await plan_in(app, "waiting", violation_id=f"v-{first}")

    digests = await delivered(peers, "digest")
    await asyncio.sleep(0.5)  # several more passes of the digest job
    assert len(peers.told("digest")) == 1
    digest = digests[0]
    assert digest["recipient"] == "team-a@example.com"
    assert digest["context"]["count"] >= 1
    assert "AutoFix digest" in digest["subject"]
