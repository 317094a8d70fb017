"""The walking-skeleton scenario, written once and run embedded and across six processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from pacbot.common.testing import eventually
from tests.actors import ALICE, BOB, TEAM, Actors

PUBLIC = "aws-s3-bucket-public-access"
ENCRYPTION = "aws-s3-bucket-default-encryption"


async def _violations(api: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await api.get("/api/v1/violations", params=params)
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _one(api: httpx.AsyncClient, violation_id: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/violations/{violation_id}")
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def run_scenario(actors: Actors, s3: Any, prefix: str, timeout: float = 60) -> None:
    """Public bucket: found, exempted, re-opened, fixed, closed; a deleted one closes as deleted.

    The admin scans and reads; Alice (owner) asks for the exception, Bob (security) decides it.
    """
    api = actors.admin
    public, private, plain = f"{prefix}-public", f"{prefix}-private", f"{prefix}-plain"
    for name in (public, private, plain):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "Owner", "Value": TEAM}]})
    for name in (public, private):
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
    s3.delete_bucket_encryption(Bucket=plain)
    s3.put_bucket_acl(Bucket=public, ACL="public-read")

    # Assess + report: the public bucket becomes an open violation visible through the gateway.
    (await api.post("/api/v1/scans", json={})).raise_for_status()

    async def opened() -> list[dict[str, Any]]:
        found = await _violations(api, status="open", limit="500")
        wanted = [
            v
            for v in found
            if (v["asset_name"], v["policy_id"]) in ((public, PUBLIC), (plain, ENCRYPTION))
        ]
        return wanted if len(wanted) == 2 else []

    found = await eventually(opened, timeout=timeout, what="two open violations")
    by_bucket = {v["asset_name"]: v["policy_id"] for v in found}
    public_violation = next(v for v in found if v["asset_name"] == public)
    plain_violation = next(v for v in found if v["asset_name"] == plain)
    assert public_violation["policy_id"].endswith(PUBLIC), by_bucket
    assert plain_violation["policy_id"].endswith(ENCRYPTION), by_bucket
    assert public_violation["severity"] == "critical"

    async def settled() -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        # Evaluations of the scan's other assets may still be arriving (no order across
        # partitions): wait until all three buckets count and the figures agree with the list.
        summary = (await api.get("/api/v1/compliance/summary")).json()
        everything_open = await _violations(api, status="open", limit="500")
        evaluated = {p["policy_id"]: p["evaluated"] for p in summary["policies"]}.get(PUBLIC)
        if evaluated == 3 and summary["open"] == len(everything_open):
            return summary, everything_open
        return None

    figures = await eventually(settled, timeout=timeout, what="the scan settled")
    assert figures is not None
    summary, everything_open = figures
    private_findings = {v["policy_id"] for v in everything_open if v["asset_name"] == private}
    assert not private_findings & {PUBLIC, ENCRYPTION}
    per_policy = {p["policy_id"]: p for p in summary["policies"]}
    assert per_policy[PUBLIC]["passing"] == 2
    assert per_policy[ENCRYPTION]["failing"] == 1
    assert summary["open"] == len(everything_open)

    hits = (await api.get("/api/v1/assets/search", params={"q": public})).json()
    assert hits["items"][0]["name"] == public

    # Exception: requested (pending), approved by someone else, exempts; revoking re-opens.
    vid = public_violation["violation_id"]
    request = await actors.requester.post(
        "/api/v1/exceptions",
        json={
            "asset_ids": [public_violation["asset_id"]],
            "policy_ids": [public_violation["policy_id"]],
            "reason": "reviewed: temporary",
            "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        },
    )
    assert request.status_code == 201, request.text
    assert request.json()["status"] == "pending"
    assert request.json()["requester"] == ALICE.subject
    exception_id = request.json()["exception_id"]
    grant = await actors.approver.post(f"/api/v1/exceptions/{exception_id}/approve")
    assert grant.status_code == 200, grant.text
    assert grant.json()["approver"] == BOB.subject

    async def status_is(status: str) -> dict[str, Any] | None:
        current = await _one(api, vid)
        return current if current["status"] == status else None

    exempted = await eventually(lambda: status_is("exempted"), timeout=timeout, what="exempted")
    assert exempted["exception_id"] == exception_id

    bad = await actors.requester.post(
        "/api/v1/exceptions",
        json={
            "asset_ids": ["x"],
            "policy_ids": ["y"],
            "reason": "r",
            "expires_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code in (400, 422), bad.text
    assert "expires_at" in bad.text

    revoke = await actors.approver.post(
        f"/api/v1/exceptions/{exception_id}/revoke", json={"reason": "fix it instead"}
    )
    assert revoke.status_code == 200, revoke.text
    reopened = await eventually(lambda: status_is("open"), timeout=timeout, what="re-opened")
    assert reopened["violation_id"] == vid

    # Remediate: autofix blocks public access after the grace period.
    async def applied() -> list[dict[str, Any]]:
        plans = (await api.get("/api/v1/fixes")).json()["items"]
        return [p for p in plans if p["violation_id"] == vid and p["status"] == "applied"]

    plans = await eventually(applied, timeout=timeout, what="an applied fix")
    assert plans[0]["backup"] is not None
    block = s3.get_public_access_block(Bucket=public)["PublicAccessBlockConfiguration"]
    assert all(block.values()), block

    # Repeat: the next scan closes it as fixed; a deleted bucket closes as asset deleted.
    s3.delete_bucket(Bucket=plain)
    (await api.post("/api/v1/scans", json={})).raise_for_status()
    closed = await eventually(lambda: status_is("closed"), timeout=timeout, what="closed as fixed")
    assert closed["close_reason"] == "fixed"

    async def plain_closed() -> dict[str, Any] | None:
        current = await _one(api, plain_violation["violation_id"])
        return current if current["status"] == "closed" else None

    gone = await eventually(plain_closed, timeout=timeout, what="closed as deleted")
    assert gone["close_reason"] == "asset_deleted"
    events = [entry["event"] for entry in closed["timeline"]]
    assert events[0] == "opened", events
    assert "exempted" in events, events
    assert "reopened" in events, events
