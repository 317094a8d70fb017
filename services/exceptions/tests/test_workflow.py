"""Approve, reject and revoke: who may decide, which states allow it, history and events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pacbot.common.bus import MemoryBus
from pacbot.common.coverage import event_covers
from pacbot.common.events import AssetSummary
from pacbot.common.testing import as_user
from services.exceptions.tests.kit import (
    ALICE,
    ALICE_APPROVER,
    BOB,
    CAROL,
    PUBLIC,
    QUEUE_DLQ,
    events,
    in_days,
    resource_body,
    sticky_body,
    types_by_exception,
    wait_for_events,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _requested(client: httpx.AsyncClient, body: dict[str, Any] | None = None) -> str:
    response = await client.post("/exceptions", json=body or resource_body(), headers=ALICE)
    assert response.status_code == 201, response.text
    exception_id: str = response.json()["exception_id"]
    return exception_id


async def test_approval_needs_a_user_the_role_and_someone_else(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    exception_id = await _requested(client)
    approve = f"/exceptions/{exception_id}/approve"

    unsigned = httpx.AsyncClient(transport=client._transport, base_url="http://exceptions")
    forged = {"X-PacBot-User": "bob@example.com", "X-PacBot-Roles": "security"}
    assert (await unsigned.post(approve, headers=forged)).status_code == 401
    no_role = await client.post(approve, headers=CAROL)
    assert no_role.status_code == 403
    assert "'security' role" in no_role.json()["detail"]
    own = await client.post(approve, headers=ALICE_APPROVER)
    assert own.status_code == 403
    assert "cannot approve it" in own.json()["detail"]
    shouted = as_user("ALICE@example.com", "security")
    assert (await client.post(approve, headers=shouted)).status_code == 403
    assert (await client.get(f"/exceptions/{exception_id}")).json()["status"] == "pending"

    approved = await client.post(approve, json={"comment": " ok for a quarter "}, headers=BOB)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert approved.json()["approver"] == "bob@example.com"
    assert approved.json()["decision_reason"] == "ok for a quarter"
    assert approved.json()["decided_at"] is not None

    assert await wait_for_events(bus, 2) == ["requested", "granted"]
    granted = events(bus)[1][1]
    assert granted.approver == "bob@example.com"
    assert granted.requester == "alice@example.com"
    assert (await client.post(approve, headers=BOB)).status_code == 409
    reject = await client.post(
        f"/exceptions/{exception_id}/reject", json={"reason": "no"}, headers=BOB
    )
    assert reject.status_code == 409
    assert (await client.post("/exceptions/ex-nope/approve", headers=BOB)).status_code == 404


async def test_rejection_needs_a_reason_and_the_role(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    exception_id = await _requested(client)
    reject = f"/exceptions/{exception_id}/reject"
    assert (await client.post(reject, json={"reason": "no"}, headers=CAROL)).status_code == 403
    assert (
        await client.post(reject, json={"reason": "no"}, headers=ALICE_APPROVER)
    ).status_code == 403
    blank = await client.post(reject, json={"reason": " "}, headers=BOB)
    assert blank.status_code == 422
    assert blank.json()["field"] == "reason"
    assert (await client.post(reject, json={}, headers=BOB)).status_code == 422

    rejected = await client.post(reject, json={"reason": "fix it instead"}, headers=BOB)
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "fix it instead"
    assert await wait_for_events(bus, 2) == ["requested", "rejected"]
    assert events(bus)[1][1].approver == "bob@example.com"
    approve = await client.post(f"/exceptions/{exception_id}/approve", headers=BOB)
    assert approve.status_code == 409
    revoke = await client.post(
        f"/exceptions/{exception_id}/revoke", json={"reason": "x"}, headers=BOB
    )
    assert revoke.status_code == 409


async def test_revoke_by_requester_or_approver_only_while_in_force(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    pending = await _requested(client)
    active = await _requested(client)
    assert (await client.post(f"/exceptions/{active}/approve", headers=BOB)).status_code == 200

    stranger = await client.post(
        f"/exceptions/{active}/revoke", json={"reason": "mine now"}, headers=CAROL
    )
    assert stranger.status_code == 403
    assert "only the requester" in stranger.json()["detail"]
    unsigned = httpx.AsyncClient(transport=client._transport, base_url="http://exceptions")
    no_user = await unsigned.post(f"/exceptions/{active}/revoke", json={"reason": "x"})
    assert no_user.status_code == 401
    no_reason = await client.post(f"/exceptions/{active}/revoke", json={}, headers=BOB)
    assert no_reason.status_code == 422

    withdrawn = await client.post(
        f"/exceptions/{pending}/revoke", json={"reason": "not needed"}, headers=ALICE
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "revoked"
    assert withdrawn.json()["revoked_by"] == "alice@example.com"
    ended = await client.post(
        f"/exceptions/{active}/revoke", json={"reason": "bucket fixed"}, headers=BOB
    )
    assert ended.status_code == 200
    assert ended.json()["revoke_reason"] == "bucket fixed"
    again = await client.post(f"/exceptions/{active}/revoke", json={"reason": "again"}, headers=BOB)
    assert again.status_code == 409
    assert "revoked" in again.json()["detail"]

    await wait_for_events(bus, 5)
    assert types_by_exception(bus) == {
        pending: ["requested", "revoked"],
        active: ["requested", "granted", "revoked"],
    }
    revoked_active = [e for key, e in events(bus) if key == active][-1]
    assert revoked_active.approver == "bob@example.com"


async def test_detail_tells_the_history(client: httpx.AsyncClient) -> None:
    exception_id = await _requested(client)
    await client.post(f"/exceptions/{exception_id}/approve", headers=BOB)
    await client.post(f"/exceptions/{exception_id}/revoke", json={"reason": "done"}, headers=ALICE)
    detail = (await client.get(f"/exceptions/{exception_id}")).json()
    assert [(h["action"], h["actor"], h["detail"]) for h in detail["history"]] == [
        ("requested", "alice@example.com", None),
        ("approved", "bob@example.com", None),
        ("revoked", "alice@example.com", "done"),
    ]
    assert detail["status"] == "revoked"
    assert (await client.get("/exceptions/ex-nope")).status_code == 404


async def test_granted_sticky_event_covers_assets_found_later(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    body = sticky_body({"accounts": ["123456789012"], "tags": {"env": ["sandbox", "dev"]}})
    exception_id = await _requested(client, body)
    await client.post(f"/exceptions/{exception_id}/approve", headers=BOB)
    await wait_for_events(bus, 2)
    granted = events(bus)[1][1]
    assert granted.event_type == "pacbot.exception.granted"

    def bucket(name: str, **tags: str) -> AssetSummary:
        return AssetSummary(
            asset_id=f"arn:aws:s3:::{name}",
            account_id="123456789012",
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=name,
            tags=tags,
        )

    assert event_covers(granted, bucket("new-sandbox", env="sandbox"), PUBLIC)
    assert not event_covers(granted, bucket("new-prod", env="prod"), PUBLIC)
    assert not event_covers(granted, bucket("new-sandbox", env="sandbox"), QUEUE_DLQ)


async def test_list_filters_and_pages(client: httpx.AsyncClient) -> None:
    soon = await _requested(client, resource_body(expires_at=in_days(2)))
    later = await _requested(client, resource_body(policy_ids=[QUEUE_DLQ], expires_at=in_days(20)))
    sticky = await _requested(client, sticky_body(policy_ids=["*"], expires_at=in_days(3)))
    bobs = await client.post("/exceptions", json=resource_body(expires_at=in_days(1)), headers=BOB)
    rejected = bobs.json()["exception_id"]
    await client.post(f"/exceptions/{soon}/approve", headers=BOB)
    await client.post(
        f"/exceptions/{rejected}/reject", json={"reason": "no"}, headers=ALICE_APPROVER
    )

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/exceptions", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] >= len(body["items"])
        return sorted(item["exception_id"] for item in body["items"])

    assert await ids(status="active") == [soon]
    assert await ids(status="pending") == sorted([later, sticky])
    assert await ids(status="rejected") == [rejected]
    assert await ids(kind="sticky") == [sticky]
    assert await ids(policy_id=QUEUE_DLQ) == sorted([later, sticky])  # sticky names "*"
    assert await ids(policy_id=PUBLIC) == sorted([soon, sticky, rejected])
    assert await ids(requester="bob@example.com") == [rejected]
    assert await ids(expiring_within_days=5) == sorted([soon, sticky])
    assert await ids(expiring_within_days=5, kind="resource") == [soon]

    first = (await client.get("/exceptions", params={"limit": 3})).json()
    second = (await client.get("/exceptions", params={"limit": 3, "offset": 3})).json()
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3
    assert len(second["items"]) == 1
    paged = {i["exception_id"] for i in first["items"] + second["items"]}
    assert paged == {soon, later, sticky, rejected}
    for bad in ({"status": "bogus"}, {"kind": "x"}, {"expiring_within_days": -1}, {"limit": 0}):
        assert (await client.get("/exceptions", params=bad)).status_code == 422
    # Bounded so neither the database (64-bit offsets) nor timedelta overflows: 422, not 500.
    for name, value in [
        ("offset", 2**63),
        ("offset", 10_000_001),
        *(("expiring_within_days", v) for v in ("1e6", "36501", "inf", "nan", "-inf")),
    ]:
        refused = await client.get("/exceptions", params={name: value})
        assert (refused.status_code, refused.json()["field"]) == (422, name), (name, value)
    assert await ids(expiring_within_days=36_500) == sorted([soon, later, sticky])
    assert await ids(offset=10_000_000) == []
