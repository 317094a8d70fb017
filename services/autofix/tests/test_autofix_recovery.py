"""A replica that dies mid-run, several replicas on one plan, and fixes in the right account."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import boto3
from fastapi import FastAPI
from moto.s3.models import s3_backends
from sqlalchemy import update

from pacbot.autofix.models import FixPlan
from pacbot.common.events import utcnow

from .conftest import ACCOUNT, POLICY, FakePeers
from .test_autofix_flow import (
    FLAGS,
    block_of,
    detail,
    plan_in,
    public_bucket,
    publish,
    relayed,
    violation,
)

OTHER = "222222222222"
ROLE = f"arn:aws:iam::{OTHER}:role/pacbot-autofix"


async def abandon(app: FastAPI, plan_id: str, **values: Any) -> None:
    """Leave the plan as a replica killed mid-run would: running, its lease already over."""
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        await session.execute(
            update(FixPlan)
            .where(FixPlan.plan_id == plan_id)
            .values(
                status="running",
                claim_token="dead-replica",
                lease_until=utcnow() - timedelta(seconds=1),
                **values,
            )
        )


async def test_killed_after_the_backup_the_fix_is_applied_once_on_recovery(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=3600)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    await abandon(app, waiting["plan_id"], phase="backed_up", backup={"PublicAccessBlock": None})

    applied = await plan_in(app, "applied")
    assert applied["plan_id"] == waiting["plan_id"]
    assert [c["operation"] for c in applied["calls"]] == ["put_public_access_block"]
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
    assert (await relayed(bus, applied["plan_id"], "applied")).count("applied") == 1


async def test_killed_after_the_fix_the_plan_is_settled_without_calling_again(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=3600)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    s3.put_public_access_block(  # the dead replica's call had landed
        Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, True)
    )
    await abandon(app, waiting["plan_id"], phase="backed_up", backup={"PublicAccessBlock": None})

    applied = await plan_in(app, "applied")
    assert "settled after an interrupted run" in applied["detail"]
    assert applied["backup"] == {"PublicAccessBlock": None}
    assert (await relayed(bus, applied["plan_id"], "applied")).count("applied") == 1


async def test_a_live_lease_is_left_alone(make_app: Any, s3: Any, peers: FakePeers) -> None:
    app, bus = await make_app(grace_override_seconds=3600)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        await session.execute(
            update(FixPlan)
            .where(FixPlan.plan_id == waiting["plan_id"])
            .values(
                status="running", claim_token="alive", lease_until=utcnow() + timedelta(hours=1)
            )
        )
    await asyncio.sleep(0.4)
    assert (await detail(app, waiting["plan_id"]))["status"] == "running"
    assert block_of(s3, bucket) is None


async def test_racing_executors_run_a_plan_once(make_app: Any, s3: Any, peers: FakePeers) -> None:
    app, bus = await make_app(grace_override_seconds=3600, timer_poll_seconds=3600)
    bucket = public_bucket(s3)
    peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        await session.execute(
            update(FixPlan).where(FixPlan.plan_id == waiting["plan_id"]).values(due_at=utcnow())
        )
    executor = app.state.executor
    outcomes = await asyncio.gather(*(executor.execute(waiting["plan_id"]) for _ in range(4)))
    assert sorted(map(str, outcomes)) == ["None", "None", "None", "applied"]
    applied = await plan_in(app, "applied")
    assert [step["step"] for step in applied["history"]].count("applied") == 1


def _assumed_s3(moto_url: str) -> Any:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=moto_url)
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="test", ExternalId="xid-42")[
        "Credentials"
    ]
    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=moto_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


async def test_each_fix_lands_in_its_violations_account_through_the_inventory_role(
    make_app: Any, s3: Any, peers: FakePeers, moto_url: str
) -> None:
    peers.accounts[OTHER] = {
        "account_id": OTHER,
        "role_arn": ROLE,
        "external_id": "xid-42",
        "enabled": True,
    }
    app, bus = await make_app(
        allowed_accounts=[ACCOUNT, OTHER], policies={POLICY: {"immediate": True}}
    )
    other_s3 = _assumed_s3(moto_url)
    mine, theirs = public_bucket(s3), f"theirs-{uuid.uuid4().hex[:8]}"
    other_s3.create_bucket(Bucket=theirs)
    for bucket in (mine, theirs):
        peers.violation_status[f"v-{bucket}"] = "open"
    await publish(bus, violation(mine))
    await publish(bus, violation(theirs, account=OTHER))

    await plan_in(app, "applied", account_id=ACCOUNT)
    await plan_in(app, "applied", account_id=OTHER)
    assert theirs in s3_backends[OTHER]["aws"].buckets
    assert theirs not in s3_backends[ACCOUNT]["aws"].buckets
    assert s3_backends[OTHER]["aws"].buckets[theirs].public_access_block is not None
    assert s3_backends[ACCOUNT]["aws"].buckets[mine].public_access_block is not None


async def test_an_account_inventory_does_not_know_is_not_touched(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(
        allowed_accounts=[ACCOUNT, "333333333333"], policies={POLICY: {"immediate": True}}
    )
    peers.violation_status["v-ghost"] = "open"
    await publish(bus, violation("ghost", account="333333333333"))
    skipped = await plan_in(app, "skipped")
    assert "not onboarded in inventory" in skipped["detail"]
