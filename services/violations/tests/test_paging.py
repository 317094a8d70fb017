"""Every violations list pages the one way: ``limit`` and ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacbot.common.testing import check_cursor_paging
from services.violations.tests.test_api_rows import ago, insert, result, running_on, violation

VIOLATIONS = [violation(f"v-{i}", updated_at=ago(hours=i)) for i in range(5)]
RESULTS = [result(f"a{i}", "p1", "fail" if i % 2 else "pass") for i in range(5)]


async def test_violations_and_results(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    async with running_on("sqlite", tmp_path, request) as (app, client):
        await insert(app, *VIOLATIONS, *RESULTS)
        await check_cursor_paging(
            client,
            "/violations",
            params={"status": "open"},
            expected=[f"v-{i}" for i in range(5)],  # most recently changed first
            key="violation_id",
            changed={"status": "open", "sort": "opened_at"},
        )
        await check_cursor_paging(
            client,
            "/violations",
            params=[("severity", "high"), ("severity", "low")],
            expected=[f"v-{i}" for i in range(5)],
            key="violation_id",
            changed=[("severity", "high")],
        )
        await check_cursor_paging(
            client,
            "/results",
            expected=[f"a{i}" for i in range(5)],
            key="asset_id",
            changed={"status": "fail"},
        )
        reordered = [("severity", "low"), ("severity", "high"), ("limit", "2")]
        first = (await client.get("/violations", params=reordered)).json()
        again = [("severity", "high"), ("severity", "low"), ("cursor", first["next_cursor"])]
        assert (await client.get("/violations", params=again)).status_code == 200
