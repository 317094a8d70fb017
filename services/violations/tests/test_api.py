"""``/violations`` filters, paging and input validation."""

from __future__ import annotations

from typing import Any

import pytest

CONTRACT_FIELDS = {
    "violation_id",
    "asset_id",
    "account_id",
    "region",
    "resource_type",
    "asset_name",
    "policy_id",
    "policy_name",
    "severity",
    "category",
    "status",
    "reason",
    "close_reason",
    "exception_id",
    "episode",
    "owner",
    "tags",
    "opened_at",
    "updated_at",
    "closed_at",
    "timeline",
}


async def seed(kit: Any) -> None:
    other = kit.asset("arn:aws:s3:::other", account_id="222222222222")
    await kit.publish(
        kit.evaluated(1, 0, public="fail", encryption="fail"),
        kit.evaluated(1, 1, other, public="fail", encryption="pass"),
        kit.evaluated(2, 2, encryption="pass"),
    )


async def test_filters_and_paging(kit: Any, client: Any) -> None:
    await seed(kit)
    everything = (await client.get("/violations")).json()
    assert everything["total"] == 3
    assert all(set(v) == CONTRACT_FIELDS for v in everything["items"])
    assert everything["items"][0]["updated_at"] == "2026-03-01T00:02:00Z"  # newest change first

    async def total(**params: Any) -> int:
        response = await client.get("/violations", params=params)
        assert response.status_code == 200
        count: int = response.json()["total"]
        return count

    assert await total(status="open") == 2
    assert await total(status="closed") == 1
    assert await total(severity="critical") == 2
    assert await total(account_id="222222222222") == 1
    assert await total(policy_id=kit.public, asset_id=kit.bucket) == 1
    assert await total(resource_type="aws.ec2.instance") == 0
    page = (await client.get("/violations", params={"limit": 1, "offset": 1})).json()
    assert (len(page["items"]), page["total"]) == (1, 3)
    assert page["items"][0]["violation_id"] == everything["items"][1]["violation_id"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"severity": "urgent"},
        {"limit": 0},
        {"limit": 5000},
        {"offset": -1},
        {"limit": "ten"},
    ],
)
async def test_invalid_query_values_are_4xx(client: Any, params: dict[str, Any]) -> None:
    response = await client.get("/violations", params=params)
    assert response.status_code == 422


async def test_unknown_violation_is_404(client: Any) -> None:
    response = await client.get("/violations/v-0000")
    assert response.status_code == 404
    assert response.json()["error"] == "NotFound"
