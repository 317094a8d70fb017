"""Requesting an exception: every validation rule is a 4xx naming the field, and nothing is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pacbot.common.bus import MemoryBus
from pacbot.common.testing import as_user
from services.exceptions.tests.conftest import Transports, running, settings_for
from services.exceptions.tests.kit import (
    ALICE,
    CAROL,
    PUBLIC,
    QUEUE_DLQ,
    events,
    in_days,
    resource_body,
    sticky_body,
    wait_for_events,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize(
    ("body", "field", "why"),
    [
        (resource_body(asset_ids=[]), "asset_ids", "at least one asset"),
        (resource_body(asset_ids=["a", " "]), "asset_ids", "blank"),
        (resource_body(criteria={"regions": ["eu-west-1"]}), "criteria", "sticky"),
        (resource_body(policy_ids=[]), "policy_ids", "at least one"),
        (resource_body(policy_ids=["*", PUBLIC]), "policy_ids", "cannot be combined"),
        (resource_body(reason="   "), "reason", "blank"),
        (resource_body(reason="x" * 4001), "reason", "at most"),
        (resource_body(expires_at=in_days(-0.01)), "expires_at", "future"),
        (resource_body(expires_at=in_days(31)), "expires_at", "within 30 days"),
        (sticky_body(asset_ids=["a"]), "asset_ids", "leave asset_ids empty"),
        (sticky_body(criteria=None) | {"criteria": None}, "criteria", "needs criteria"),
        (sticky_body(criteria={}), "criteria", "exempt every asset"),
        (sticky_body(criteria={"tags": {}, "regions": []}), "criteria", "exempt every asset"),
        (sticky_body(criteria={"name_patterns": ["*"]}), "criteria.name_patterns", "every name"),
        (sticky_body(criteria={"name_patterns": ["?*"]}), "criteria.name_patterns", "every name"),
        (
            sticky_body(criteria={"name_patterns": ["web-[ab"]}),
            "criteria.name_patterns",
            "unclosed",
        ),
        (sticky_body(criteria={"name_patterns": [" "]}), "criteria.name_patterns", "blank"),
        (sticky_body(criteria={"accounts": ["12345"]}), "criteria.accounts", "12-digit"),
        (sticky_body(criteria={"regions": [""]}), "criteria.regions", "blank"),
        (sticky_body(criteria={"tags": {" ": "x"}}), "criteria.tags", "non-empty"),
        (sticky_body(criteria={"tags": {"env": " "}}), "criteria.tags.env", "blank"),
        (sticky_body(criteria={"tags": {"env": []}}), "criteria.tags.env", "at least one"),
        (sticky_body(criteria={"tags": {"env": ["dev", ""]}}), "criteria.tags.env", "blank"),
    ],
)
async def test_invalid_requests_name_the_field_and_keep_nothing(
    client: httpx.AsyncClient, bus: MemoryBus, body: dict[str, Any], field: str, why: str
) -> None:
    response = await client.post("/exceptions", json=body, headers=ALICE)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert why in response.json()["detail"]
    assert (await client.get("/exceptions")).json() == {
        "items": [],
        "total": 0,
        "next_cursor": None,
    }
    assert events(bus) == []


@pytest.mark.parametrize(
    ("criteria", "fragment"),
    [
        ({"tags": {"env": 3}}, "criteria.tags.env"),
        ({"colour": ["red"]}, "criteria.colour"),
        ({"tags": ["env"]}, "criteria.tags"),
    ],
)
async def test_malformed_criteria_are_422_naming_them(
    client: httpx.AsyncClient, criteria: dict[str, Any], fragment: str
) -> None:
    response = await client.post("/exceptions", json=sticky_body(criteria), headers=ALICE)
    assert response.status_code == 422
    assert response.json()["field"].startswith(fragment)


async def test_unknown_policy_is_named_by_the_assessor(client: httpx.AsyncClient) -> None:
    body = resource_body(policy_ids=[PUBLIC, "aws-no-such-policy"])
    response = await client.post("/exceptions", json=body, headers=ALICE)
    assert response.status_code == 422
    assert response.json()["field"] == "policy_ids"
    assert "'aws-no-such-policy'" in response.json()["detail"]


async def test_criteria_must_be_able_to_match_what_the_policies_judge(
    client: httpx.AsyncClient,
) -> None:
    unknown_type = sticky_body({"resource_types": ["aws.s3.bucket", "aws.s3.bukket"]})
    response = await client.post("/exceptions", json=unknown_type, headers=ALICE)
    assert response.status_code == 422
    assert response.json()["field"] == "criteria.resource_types"
    assert "'aws.s3.bukket'" in response.json()["detail"]

    mismatch = sticky_body({"resource_types": ["aws.s3.bucket"]}, policy_ids=[PUBLIC, QUEUE_DLQ])
    response = await client.post("/exceptions", json=mismatch, headers=ALICE)
    assert response.status_code == 422
    assert response.json()["field"] == "policy_ids"
    assert QUEUE_DLQ in response.json()["detail"]
    assert "aws.sqs.queue" in response.json()["detail"]

    fitting = sticky_body({"resource_types": ["aws.s3.bucket", "aws.sqs.queue"]})
    fitting["policy_ids"] = [PUBLIC, QUEUE_DLQ]
    assert (await client.post("/exceptions", json=fitting, headers=ALICE)).status_code == 201


async def test_only_signed_callers_with_a_requesting_role_may_ask(
    client: httpx.AsyncClient,
) -> None:
    unsigned = httpx.AsyncClient(transport=client._transport, base_url="http://exceptions")
    forged = {"X-PacBot-User": "mallory", "X-PacBot-Roles": "security"}
    for headers in ({}, forged, {"Authorization": "Bearer not-a-token"}):
        response = await unsigned.post("/exceptions", json=resource_body(), headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    viewer = await client.post("/exceptions", json=resource_body(), headers=CAROL)
    assert viewer.status_code == 403
    assert "owner, security or admin" in viewer.json()["detail"]
    named = await client.post("/exceptions", json=resource_body(requester="mallory"), headers=ALICE)
    assert named.status_code == 422  # who asks is the caller, never a body field
    assert (await client.get("/exceptions")).json()["total"] == 0


async def test_request_is_pending_and_announced_with_the_signed_user(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    body = resource_body(asset_ids=["a1", " a1 ", "a2"], reason=" why ")
    response = await client.post("/exceptions", json=body, headers=ALICE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending"
    assert created["requester"] == "alice@example.com"  # the signed caller
    assert created["asset_ids"] == ["a1", "a2"]
    assert created["reason"] == "why"
    assert created["approver"] is None
    assert created["criteria"] is None

    assert await wait_for_events(bus, 1) == ["requested"]
    key, event = events(bus)[0]
    assert key == created["exception_id"]
    assert event.requester == "alice@example.com"
    assert event.approver is None
    assert event.kind == "resource"


async def test_sticky_request_keeps_cleaned_criteria_in_state_and_event(
    client: httpx.AsyncClient, bus: MemoryBus
) -> None:
    criteria = {
        "accounts": ["123456789012"],
        "regions": [" eu-west-1 "],
        "resource_types": ["aws.s3.bucket"],
        "tags": {" env ": ["sandbox", "dev", "dev"], "team": "web"},
        "name_patterns": ["web-*", "arn:aws:s3:::static-[0-9]*"],
    }
    response = await client.post(
        "/exceptions", json=sticky_body(criteria, policy_ids=["*"]), headers=ALICE
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["kind"] == "sticky"
    assert stored["asset_ids"] == []
    assert stored["policy_ids"] == ["*"]
    assert stored["criteria"] == {
        "accounts": ["123456789012"],
        "regions": ["eu-west-1"],
        "resource_types": ["aws.s3.bucket"],
        "tags": {"env": ["sandbox", "dev"], "team": "web"},
        "name_patterns": ["web-*", "arn:aws:s3:::static-[0-9]*"],
    }
    await wait_for_events(bus, 1)
    event = events(bus)[0][1]
    assert event.criteria is not None
    assert event.criteria.model_dump() == stored["criteria"]


async def _assessor_down(_request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


async def test_unreachable_peers_are_503_and_star_skips_the_assessor(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> None:
    down = httpx.MockTransport(_assessor_down)
    async with running(settings_for(tmp_path), bus, {"assessor": down, "inventory": down}) as (
        _,
        client,
    ):
        response = await client.post("/exceptions", json=resource_body(), headers=ALICE)
        assert response.status_code == 503
        assert "assessor" in response.json()["detail"]

        everything = resource_body(policy_ids=["*"])
        assert (await client.post("/exceptions", json=everything, headers=ALICE)).status_code == 201

        typed = sticky_body({"resource_types": ["aws.s3.bucket"]}, policy_ids=["*"])
        response = await client.post("/exceptions", json=typed, headers=ALICE)
        assert response.status_code == 503
        assert "inventory" in response.json()["detail"]
        assert (await client.get("/exceptions")).json()["total"] == 1


async def test_failing_assessor_is_503_not_500(tmp_path: Path, bus: MemoryBus) -> None:
    broken = httpx.MockTransport(lambda _request: httpx.Response(500, text="boom"))
    async with running(settings_for(tmp_path), bus, {"assessor": broken}) as (_, client):
        response = await client.post("/exceptions", json=resource_body(), headers=ALICE)
        assert response.status_code == 503
        assert "500" in response.json()["detail"]


async def test_an_owner_sees_only_their_own_requests(client: httpx.AsyncClient) -> None:
    alice = as_user("alice@x.example", "owner")
    mallory = as_user("mallory@x.example", "owner")
    mine = sticky_body({"tags": {"Owner": "alice@x.example"}})
    created = await client.post("/exceptions", json=mine, headers=alice)
    assert created.status_code == 201, created.text
    exception_id = created.json()["exception_id"]
    assert (await client.get(f"/exceptions/{exception_id}", headers=alice)).status_code == 200
    assert (await client.get(f"/exceptions/{exception_id}", headers=mallory)).status_code == 404
    assert (await client.get("/exceptions", headers=mallory)).json()["total"] == 0
    assert (await client.get("/exceptions", headers=alice)).json()["total"] == 1
    assert (await client.get("/exceptions", headers=CAROL)).json()["total"] == 1  # a viewer
    theirs = sticky_body({"tags": {"Owner": "alice@x.example"}})
    refused = await client.post("/exceptions", json=theirs, headers=mallory)
    assert refused.status_code == 403
    assert refused.json()["field"] == "criteria.tags"
