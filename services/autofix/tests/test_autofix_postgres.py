"""On a real PostgreSQL: two replicas share the plans and never act twice on one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from pacbot.cli.devstack import StackInfo
from pacbot.common.bus import MemoryBus
from pacbot.common.db import Database
from pacbot.common.testing import eventually

from .conftest import POLICY, FakePeers
from .test_autofix_flow import FLAGS, block_of, events_of, plans, public_bucket, publish, violation

pytestmark = pytest.mark.real


@pytest.fixture
async def schema(stack: StackInfo, unique: str) -> AsyncIterator[str]:
    name = f"autofix_{unique}"
    yield name
    db = Database(stack.postgres_url, schema=name)
    async with db.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    await db.engine.dispose()


async def _relayed_by_either(first: MemoryBus, second: MemoryBus, plan_id: str) -> bool:
    return "applied" in events_of(first, plan_id) + events_of(second, plan_id)


async def test_two_replicas_fix_each_plan_exactly_once(
    schema: str, stack: StackInfo, make_app: Any, s3: Any, peers: FakePeers
) -> None:
    settings = {
        "database_url": stack.postgres_url,
        "service_name": schema,
        "policies": {POLICY: {"immediate": True}},
        "timer_poll_seconds": 0.02,
    }
    first, first_bus = await make_app(**settings)
    second, second_bus = await make_app(**settings)
    buckets = [public_bucket(s3) for _ in range(6)]
    for bucket in buckets:
        peers.violation_status[f"v-{bucket}"] = "open"
        await publish(first_bus, violation(bucket))

    async def all_applied() -> list[dict[str, Any]]:
        found = await plans(first, status="applied")
        return found if len(found) == len(buckets) else []

    applied = await eventually(all_applied, timeout=20, what="every plan applied")
    for plan in applied:
        # each replica relays its own outbox rows; together they hold each event once
        await eventually(
            lambda plan_id=plan["plan_id"]: _relayed_by_either(first_bus, second_bus, plan_id),
            timeout=10,
            what="the applied event",
        )
        seen = events_of(first_bus, plan["plan_id"]) + events_of(second_bus, plan["plan_id"])
        assert seen.count("applied") == 1
        assert seen.count("backed_up") == 1
    for bucket in buckets:
        assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
    assert await plans(second, status="applied")
