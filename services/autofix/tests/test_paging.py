"""``GET /plans`` pages the one way: ``limit`` and ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pacbot.autofix.fixes import FIXES
from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.common.testing import check_cursor_paging, signed_client

START = datetime(2026, 1, 1, tzinfo=UTC)


def plan(n: int) -> FixPlan:
    """A finished plan (nothing for the timer to do), created ``n`` minutes after START."""
    moment = START + timedelta(minutes=n)
    return FixPlan(
        plan_id=f"fp-{n}",
        violation_id=f"v-{n % 2}",
        episode=1,
        asset_id=f"arn:aws:s3:::bucket-{n}",
        asset_name=f"bucket-{n}",
        resource_type="aws.s3.bucket",
        account_id="123456789012",
        region="us-east-1",
        owner=None,
        policy_id="aws-s3-public-access-block",
        action="s3-block-public-access",
        params={},
        status="cancelled",
        due_at=moment,
        dry_run=False,
        detail="cancelled",
        backup=None,
        created_at=moment,
        updated_at=moment,
    )


async def test_plans(make_app: Any) -> None:
    app, _ = await make_app()
    async with app.state.runtime.db.session() as session:
        session.add_all(plan(n) for n in range(6))
    async with signed_client(app, "http://a") as http:
        await check_cursor_paging(
            http,
            "/plans",
            params={"violation_id": "v-0"},
            expected=["fp-4", "fp-2", "fp-0"],
            key="plan_id",
            changed={"violation_id": "v-1"},
        )
        await check_cursor_paging(
            http,
            "/plans",
            expected=[f"fp-{n}" for n in reversed(range(6))],
            key="plan_id",
            changed={"status": "cancelled"},
            limit=4,
        )


async def test_fixes_catalog_and_pauses(make_app: Any) -> None:
    app, _ = await make_app()
    async with app.state.runtime.db.session() as session:
        session.add_all(
            PolicyPause(policy_id=f"p-{n}", reason="cap", paused_at=START, resumed_at=None)
            for n in range(5)
        )
    async with signed_client(app, "http://a") as http:
        await check_cursor_paging(
            http,
            "/fixes/catalog",
            expected=FIXES.names(),
            key="name",
            limit=7,
        )
        await check_cursor_paging(
            http,
            "/fixes/pauses",
            expected=[f"p-{n}" for n in reversed(range(5))],
            key="policy_id",
            changed={"active": "true"},
            limit=2,
        )
