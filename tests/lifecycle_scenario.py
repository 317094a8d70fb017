"""Issue 5's lifecycle over the whole system, written once and run embedded and across processes.

Sticky exception covering an asset discovered after the grant, expiry re-opening a violation,
a disabled policy closing its violations and re-enabling re-opening them as a new episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from pacbot.common.testing import eventually
from tests.actors import ALICE, BOB, TEAM, Actors
from tests.scenario import ENCRYPTION

SANDBOX = {"Key": "Environment", "Value": "sandbox"}
PROD = {"Key": "Environment", "Value": "prod"}


@dataclass
class LifecycleOutcome:
    """What the scenario observed, for checks the caller can make on its own (e.g. events)."""

    prod_violation_id: str
    sticky_exception_id: str
    new_sandbox_violation_id: str


def _bucket(s3: Any, name: str, tag: dict[str, str] | None = None) -> None:
    """An unencrypted bucket: it fails the default-encryption policy."""
    s3.create_bucket(Bucket=name)
    tags = [{"Key": "Owner", "Value": TEAM}] + ([tag] if tag else [])
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
    s3.delete_bucket_encryption(Bucket=name)


async def _encryption_violation(api: httpx.AsyncClient, bucket: str) -> dict[str, Any] | None:
    found = await api.get("/api/v1/violations", params={"policy_id": ENCRYPTION, "limit": "500"})
    found.raise_for_status()
    for item in found.json()["items"]:
        if item["asset_name"] == bucket:
            detail = await api.get(f"/api/v1/violations/{item['violation_id']}")
            detail.raise_for_status()
            body: dict[str, Any] = detail.json()
            return body
    return None


async def _until(
    api: httpx.AsyncClient, bucket: str, status: str, timeout: float, **expected: Any
) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        current = await _encryption_violation(api, bucket)
        if current is None or current["status"] != status:
            return None
        return current if all(current.get(k) == v for k, v in expected.items()) else None

    return await eventually(check, timeout=timeout, what=f"{bucket} {status} {expected}")


async def _request_and_approve(actors: Actors, body: dict[str, Any]) -> str:
    """Alice (owner) asks, Bob (security) grants."""
    requested = await actors.requester.post("/api/v1/exceptions", json=body)
    assert requested.status_code == 201, requested.text
    assert requested.json()["requester"] == ALICE.subject
    exception_id: str = requested.json()["exception_id"]
    approved = await actors.approver.post(f"/api/v1/exceptions/{exception_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert approved.json()["approver"] == BOB.subject
    return exception_id


async def _scan(api: httpx.AsyncClient) -> None:
    (await api.post("/api/v1/scans", json={"resource_types": ["aws.s3.bucket"]})).raise_for_status()


async def run_lifecycle_scenario(
    actors: Actors, s3: Any, prefix: str, timeout: float = 60
) -> LifecycleOutcome:
    """Every exception-driven transition plus policy disable/enable, through the gateway."""
    api = actors.admin
    old_sandbox, new_sandbox = f"{prefix}-sbx-old", f"{prefix}-sbx-new"
    prod, temp = f"{prefix}-prod", f"{prefix}-temp"
    _bucket(s3, old_sandbox, SANDBOX)
    _bucket(s3, prod, PROD)
    _bucket(s3, temp)
    await _scan(api)
    for bucket in (old_sandbox, prod, temp):
        await _until(api, bucket, "open", timeout)

    # Sticky: every sandbox bucket, now and later, is exempt from the encryption policy (an
    # owner's sticky exception pins the Owner tag to their team).
    sticky = await _request_and_approve(
        actors,
        {
            "kind": "sticky",
            "criteria": {
                "resource_types": ["aws.s3.bucket"],
                "tags": {"Environment": "sandbox", "Owner": TEAM},
            },
            "policy_ids": [ENCRYPTION],
            "reason": "sandbox data is synthetic",
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        },
    )
    await _until(api, old_sandbox, "exempted", timeout, exception_id=sticky)
    still_open = await _encryption_violation(api, prod)
    assert still_open is not None
    assert still_open["status"] == "open", still_open

    _bucket(s3, new_sandbox, SANDBOX)  # discovered after the grant
    await _scan(api)
    born_exempt = await _until(api, new_sandbox, "exempted", timeout, exception_id=sticky)
    assert born_exempt["timeline"][0]["event"] == "exempted", born_exempt["timeline"]

    # Expiry: a short resource exception ends by itself and the still-failing bucket re-opens.
    temp_violation = await _until(api, temp, "open", timeout)
    short = await _request_and_approve(
        actors,
        {
            "asset_ids": [temp_violation["asset_id"]],
            "policy_ids": [ENCRYPTION],
            "reason": "migration window",
            "expires_at": (datetime.now(UTC) + timedelta(seconds=8)).isoformat(),
        },
    )
    await _until(api, temp, "exempted", timeout, exception_id=short)
    reopened = await _until(api, temp, "open", timeout + 10)
    assert reopened["violation_id"] == temp_violation["violation_id"]
    assert [e["event"] for e in reopened["timeline"]][-1] == "reopened", reopened["timeline"]
    expired = (await api.get(f"/api/v1/exceptions/{short}")).json()
    assert expired["status"] == "expired", expired

    # Disabling the policy closes its live violations; re-enabling re-opens a new episode.
    prod_violation = await _until(api, prod, "open", timeout)
    for enabled in (False, True):
        patched = await api.patch(
            f"/api/v1/policies/{ENCRYPTION}",
            json={"enabled": enabled, "reason": "e2e"},
        )
        assert patched.status_code == 200, patched.text
        if not enabled:
            await _until(api, prod, "closed", timeout, close_reason="policy_disabled")
    back = await _until(api, prod, "open", timeout, episode=prod_violation["episode"] + 1)
    assert back["violation_id"] == prod_violation["violation_id"]
    return LifecycleOutcome(
        prod_violation_id=prod_violation["violation_id"],
        sticky_exception_id=sticky,
        new_sandbox_violation_id=born_exempt["violation_id"],
    )
