"""Daily snapshots (the job, the upsert, the trend endpoint) and mean time to remediate."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pacbot.common.events import utcnow
from pacbot.violations.compliance.schemas import Weights
from pacbot.violations.compliance.snapshots import take_snapshots
from pacbot.violations.models import ComplianceSnapshot
from pacbot.violations.settings import CATEGORY_WEIGHTS, SEVERITY_WEIGHTS
from services.violations.tests.test_api_rows import ago, episode, insert, result, running_on
from services.violations.tests.test_compliance_scopes import inventory_double

WEIGHTS = Weights(severity=SEVERITY_WEIGHTS, category=CATEGORY_WEIGHTS)


async def snapshots(app: Any) -> dict[str, ComplianceSnapshot]:
    async with app.state.runtime.db.session() as session:
        rows = (await session.scalars(select(ComplianceSnapshot))).all()
    return {row.scope: row for row in rows}


@pytest.fixture(params=["sqlite", "postgres"])
async def running(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    transports = {"inventory": inventory_double()}
    async with running_on(request.param, tmp_path, request, transports=transports) as pair:
        yield pair


async def test_snapshots_are_upserted_per_scope_and_day(running: Any) -> None:
    app, client = running
    runtime = app.state.runtime
    await insert(
        app,
        result("a1", "p", "pass"),
        result("a2", "p", "fail"),
        result("b1", "p", "pass", account_id="222222222222", region="eu-west-1"),
    )
    configured = ["region:eu-west-1", "group:nope", "planet:mars", "account:111111111111"]
    now = utcnow()
    taken = await take_snapshots(runtime, WEIGHTS, configured, now)
    # the unknown group and the malformed scope are skipped; a duplicate is taken once
    assert taken == ["all", "account:111111111111", "account:222222222222", "region:eu-west-1"]
    stored = await snapshots(app)
    assert stored["all"].overall_pct == pytest.approx(200 / 3)
    assert stored["account:111111111111"].overall_pct == 50.0
    assert (stored["region:eu-west-1"].overall_pct, stored["region:eu-west-1"].open) == (100.0, 0)
    assert stored["all"].figures["evaluated_assets"] == 3
    assert {row.day for row in stored.values()} == {now.date()}

    await insert(app, result("a3", "p", "fail"))
    await take_snapshots(runtime, WEIGHTS, [], now + timedelta(seconds=1))
    again = await snapshots(app)
    assert len(again) == 4  # the same day's rows were replaced, not added
    assert again["all"].overall_pct == 50.0
    assert again["all"].evaluated_assets == 4

    await insert(
        app,
        *(
            ComplianceSnapshot(
                day=(now - timedelta(days=days)).date(),
                scope="all",
                overall_pct=pct,
                evaluated_assets=1,
                open=0,
                exempted=0,
                figures={},
                taken_at=now - timedelta(days=days),
            )
            for days, pct in ((3, 10.0), (40, None))
        ),
    )
    week = (await client.get("/compliance/trend", params={"days": 7})).json()
    assert (week["scope"], week["days"]) == ("all", 7)
    assert [p["overall_pct"] for p in week["points"]] == [10.0, 50.0]  # oldest first
    assert week["points"][-1]["day"] == now.date().isoformat()
    season = (await client.get("/compliance/trend", params={"days": 60})).json()
    assert [p["overall_pct"] for p in season["points"]] == [None, 10.0, 50.0]
    account = (
        await client.get("/compliance/trend", params={"scope": "account:222222222222"})
    ).json()
    assert [p["overall_pct"] for p in account["points"]] == [100.0]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"scope": "planet:mars"}, 400, "scope"),
        ({"scope": "group:a,group:b"}, 400, "scope"),
        ({"scope": "tag:novalue"}, 400, "scope"),
        ({"days": 0}, 422, "days"),
        ({"days": 400}, 422, "days"),
    ],
)
async def test_bad_trend_requests(
    tmp_path: Path, request: pytest.FixtureRequest, params: dict[str, Any], status: int, field: str
) -> None:
    async with running_on("sqlite", tmp_path, request) as (_app, client):
        response = await client.get("/compliance/trend", params=params)
    assert (response.status_code, response.json()["field"]) == (status, field)


async def test_the_snapshot_job_runs_in_the_service(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with running_on("sqlite", tmp_path, request, snapshot_interval_seconds=0.05) as (app, c):
        await insert(app, result("a1", "p", "pass"))
        async with asyncio.timeout(10):
            while "account:111111111111" not in await snapshots(app):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        trend = (await c.get("/compliance/trend")).json()
    assert trend["points"][-1]["overall_pct"] == 100.0


# Episodes, hours from opening to closing (closed = days before now):
#   critical fixed 10 h (1 d ago) and 30 h (2 d ago)   -> mean 20,  median 20
#   high fixed 5 h (3 d ago); high closed as asset_deleted and a still-open one -> not counted
#   medium fixed 8 h but 100 d ago -> outside the default 90-day window
#   low fixed 2 h (account 222, 1 d ago)
#   overall in 90 days: 10, 30, 5, 2 -> mean 11.75, median 7.5
def _episode(
    vid: str, severity: str, hours: float, closed_days: float, reason: str | None, **kw: Any
) -> Any:
    closed = ago(closed_days)
    return episode(vid, 1, severity, closed - timedelta(hours=hours), closed, reason, **kw)


EPISODES = [
    _episode("v1", "critical", 10, 1, "fixed"),
    _episode("v2", "critical", 30, 2, "fixed"),
    _episode("v3", "high", 5, 3, "fixed"),
    _episode("v4", "high", 1, 1, "asset_deleted"),
    episode("v5", 1, "high", ago(4), None, None),
    _episode("v6", "medium", 8, 100, "fixed"),
    _episode("v7", "low", 2, 1, "fixed", account_id="222222222222"),
]


async def test_mean_time_to_remediate(running: Any) -> None:
    app, client = running
    await insert(app, *EPISODES)
    body = (await client.get("/compliance/mttr")).json()
    assert body["window_days"] == 90
    assert body["overall"] == {"episodes": 4, "mean_hours": 11.75, "median_hours": 7.5}
    assert body["by_severity"]["critical"] == {
        "episodes": 2,
        "mean_hours": 20.0,
        "median_hours": 20.0,
    }
    assert body["by_severity"]["high"]["mean_hours"] == 5.0
    assert body["by_severity"]["medium"] == {
        "episodes": 0,
        "mean_hours": None,
        "median_hours": None,
    }
    longer = (await client.get("/compliance/mttr", params={"days": 120})).json()
    assert longer["by_severity"]["medium"]["mean_hours"] == 8.0
    one = (await client.get("/compliance/mttr", params={"account_id": "111111111111"})).json()
    assert (one["overall"]["episodes"], one["overall"]["mean_hours"]) == (3, 15.0)
    assert (await client.get("/compliance/mttr", params={"days": 0})).status_code == 422
