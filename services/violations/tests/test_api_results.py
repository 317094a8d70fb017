"""``GET /results``: the latest results, e.g. the unknowns (``status=error``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.violations.tests.test_api_rows import insert, result, running_on

RESULTS = [
    result("a1", "p1", "error", reason="AccessDenied reading the bucket policy"),
    result("a2", "p1", "pass"),
    result("a3", "p1", "error", deleted=True),
    result("a1", "p2", "fail", account_id="222222222222", tags={"App": "billing"}),
    result("a4", "p2", "error", region="eu-west-1", tags={"App": "billing"}),
    result("a5", "p2", "not_applicable"),
]


async def test_results_filters_and_the_unknowns(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with running_on("sqlite", tmp_path, request) as (app, client):
        await insert(app, *RESULTS)

        async def keys(**params: object) -> list[tuple[str, str]]:
            response = await client.get("/results", params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["total"] == len(body["items"]) + int(str(params.get("offset", 0)))
            return [(r["asset_id"], r["policy_id"]) for r in body["items"]]

        errors = (await client.get("/results", params={"status": "error"})).json()
        assert [(r["asset_id"], r["reason"]) for r in errors["items"]] == [
            ("a1", "AccessDenied reading the bucket policy"),
            ("a4", "p2 is error"),
        ]  # the deleted asset's error is not live
        assert await keys() == [
            ("a1", "p1"),
            ("a1", "p2"),
            ("a2", "p1"),
            ("a4", "p2"),
            ("a5", "p2"),
        ]
        assert await keys(status=["pass", "not_applicable"]) == [("a2", "p1"), ("a5", "p2")]
        assert await keys(policy_id="p2", region="eu-west-1") == [("a4", "p2")]
        assert await keys(account_id="222222222222") == [("a1", "p2")]
        assert await keys(tag="App:billing", status="error") == [("a4", "p2")]
        assert await keys(limit=5, offset=3) == [("a4", "p2"), ("a5", "p2")]
        bad = await client.get("/results", params={"status": "unknown"})
        assert (bad.status_code, bad.json()["field"]) == (422, "status.0")
        bad_tag = await client.get("/results", params={"tag": "App"})
        assert (bad_tag.status_code, bad_tag.json()["field"]) == (400, "tag")
