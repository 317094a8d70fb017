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

        async def two_rounds() -> bool:
            return bool(scheduler.rounds >= 2)

        await eventually(two_rounds, timeout=20, what="two scheduled rounds")
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
    assert (await inventory.client.get("/scans")).json() == {"sweeps": []}
