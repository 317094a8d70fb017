"""The background scheduler sweeps on its cadence and stops with the app."""

from __future__ import annotations

from typing import Any

from pacbot.common.testing import eventually


async def test_scheduler_sweeps_repeatedly_and_stops_on_shutdown(
    start_inventory: Any, s3: Any
) -> None:
    s3.create_bucket(Bucket="scheduled-bucket")
    async with start_inventory(scan_interval_seconds=0.1) as inventory:
        scheduler = inventory.app.state.scheduler

        async def two_sweeps() -> bool:
            sweeps = (await inventory.client.get("/scans")).json()["sweeps"]
            return len([s for s in sweeps if s["status"] == "succeeded"]) >= 2

        await eventually(two_sweeps, timeout=20, what="two scheduled sweeps")
        assets = (await inventory.client.get("/assets")).json()
        assert [a["name"] for a in assets["items"]] == ["scheduled-bucket"]
        sweeps = (await inventory.client.get("/scans")).json()["sweeps"]
        assert len(sweeps) >= 2
        assert {s["status"] for s in sweeps} <= {"succeeded", "running"}
        task = scheduler._task
    assert task is not None
    assert task.done()
    assert scheduler._task is None


async def test_no_scheduler_when_the_interval_is_zero(inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="idle-bucket")
    assert not hasattr(inventory.app.state, "scheduler")
    assert (await inventory.client.get("/scans")).json()["items"] == []


async def test_each_type_runs_at_its_own_interval(start_inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="cadence-bucket")
    async with start_inventory(
        scan_interval_seconds=3600, sweep_intervals={"aws.s3.bucket": 0.2}
    ) as inventory:
        scheduler = inventory.app.state.scheduler
        assert scheduler.interval_of("aws.s3.bucket") == 0.2
        assert scheduler.interval_of("aws.other.type") == 3600
        assert scheduler.interval == 0.2  # ticks as often as the fastest cadence needs

        async def swept_twice() -> bool:
            sweeps = (await inventory.client.get("/scans")).json()["sweeps"]
            return len([s for s in sweeps if s["status"] == "succeeded"]) >= 2

        await eventually(swept_twice, timeout=20, what="the fast type swept twice")


async def test_a_recent_sweep_is_not_due_again(start_inventory: Any, s3: Any) -> None:
    from pacbot.common.events import utcnow

    s3.create_bucket(Bucket="recent-bucket")
    async with start_inventory(scan_interval_seconds=3600, scheduler_tick_seconds=3600) as inv:
        scheduler = inv.app.state.scheduler
        await inv.scan()

        async def idle() -> bool:
            return not scheduler._running

        await eventually(idle, timeout=20, what="the first tick's sweep to finish")
        assert await scheduler.due(utcnow()) == []
        scheduler.per_type["aws.s3.bucket"] = 0.0
        assert [t.resource_type for t in await scheduler.due(utcnow())] == ["aws.s3.bucket"]
