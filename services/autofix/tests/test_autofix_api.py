"""The AutoFix API: fix now, rollback, cancel, postpone, and who may do them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from pacbot.common.testing import as_user, signed_client

from .conftest import ACCOUNT, POLICY, FakePeers
from .test_autofix_flow import FLAGS, block_of, detail, plan_in, public_bucket, publish, violation

SECURITY = as_user("sec@example.com", "security")
VIEWER = as_user("viewer@example.com", "viewer")


def known_violation(peers: FakePeers, bucket: str, status: str = "open") -> str:
    """Make the fake violations and assessor peers know an open violation of ``bucket``."""
    violation_id = f"v-{bucket}"
    peers.violation_status[violation_id] = status
    peers.violations_by_id[violation_id] = {
        "asset_id": f"arn:aws:s3:::{bucket}",
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "resource_type": "aws.s3.bucket",
        "asset_name": bucket,
        "policy_id": POLICY,
        "episode": 1,
        "owner": "team-a@example.com",
        "tags": {},
    }
    peers.policies[POLICY] = {
        "id": POLICY,
        "version": 1,
        "name": "S3 buckets must not be publicly accessible",
        "severity": "critical",
        "category": "security",
        "autofix": {"action": "s3-block-public-access", "grace_seconds": 86400, "params": {}},
    }
    return violation_id


async def post(app: FastAPI, path: str, body: Any, headers: dict[str, str]) -> Any:
    async with signed_client(app, "http://a") as http:
        return await http.post(path, json=body, headers=headers)


async def test_fix_now_skips_the_grace_period_but_not_the_checks(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, _ = await make_app()
    bucket = public_bucket(s3)
    violation_id = known_violation(peers, bucket)

    response = await post(app, "/fixes", {"violation_id": violation_id}, SECURITY)
    assert response.status_code == 202, response.text
    assert response.json()["trigger"] == "manual"
    assert response.json()["requested_by"] == "sec@example.com"
    applied = await plan_in(app, "applied")
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)
    assert "asked by sec@example.com" in applied["history"][0]["detail"]


async def test_fix_now_brings_a_waiting_plan_forward(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=3600)
    bucket = public_bucket(s3)
    violation_id = known_violation(peers, bucket)
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")

    response = await post(app, "/fixes", {"violation_id": violation_id}, SECURITY)
    assert response.status_code == 202, response.text
    assert response.json()["plan_id"] == waiting["plan_id"]
    await plan_in(app, "applied")


async def test_fix_now_refuses_what_cannot_be_fixed(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, _ = await make_app()
    closed = known_violation(peers, "closed-bucket", status="closed")

    missing = await post(app, "/fixes", {"violation_id": "v-nope"}, SECURITY)
    assert missing.status_code == 404
    assert missing.json()["field"] == "violation_id"
    gone = await post(app, "/fixes", {"violation_id": closed}, SECURITY)
    assert gone.status_code == 409
    assert "closed" in gone.json()["detail"]
    bad = await post(app, "/fixes", {"violation": "x"}, SECURITY)
    assert bad.status_code == 422


async def test_people_without_the_security_role_cannot_act(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, _ = await make_app()
    violation_id = known_violation(peers, "any")
    for path, body in (
        ("/fixes", {"violation_id": violation_id}),
        ("/fixes/fp-x/rollback", {"reason": "r"}),
        ("/fixes/fp-x/cancel", {"reason": "r"}),
        ("/fixes/fp-x/postpone", {"reason": "r", "seconds": 5}),
        (f"/fixes/pauses/{POLICY}/resume", None),
    ):
        response = await post(app, path, body, VIEWER)
        assert response.status_code == 403, path
    async with signed_client(app, "http://a") as http:
        assert (await http.get("/fixes", headers=VIEWER)).status_code == 200
        catalog = (await http.get("/fixes/catalog", headers=VIEWER)).json()["items"]
    assert any(fix["name"] == "s3-block-public-access" for fix in catalog)


async def test_rollback_restores_the_backup_and_is_recorded_like_a_fix(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(policies={POLICY: {"immediate": True}})
    bucket = public_bucket(s3)
    known_violation(peers, bucket)
    await publish(bus, violation(bucket))
    applied = await plan_in(app, "applied")
    assert block_of(s3, bucket) == dict.fromkeys(FLAGS, True)

    response = await post(
        app, f"/fixes/{applied['plan_id']}/rollback", {"reason": "breaks the CDN"}, SECURITY
    )
    assert response.status_code == 202, response.text
    rollback = response.json()
    assert rollback["kind"] == "rollback"
    assert rollback["rollback_of"] == applied["plan_id"]
    await plan_in(app, "applied", kind="rollback")
    assert block_of(s3, bucket) is None
    original = await detail(app, applied["plan_id"])
    assert original["status"] == "rolled_back"
    assert "rolled back by sec@example.com" in original["detail"]
    again = await post(app, f"/fixes/{applied['plan_id']}/rollback", {"reason": "x"}, SECURITY)
    assert again.status_code == 409


async def test_cancel_and_postpone_only_what_has_not_acted(
    make_app: Any, s3: Any, peers: FakePeers
) -> None:
    app, bus = await make_app(grace_override_seconds=3600)
    bucket = public_bucket(s3)
    known_violation(peers, bucket)
    await publish(bus, violation(bucket))
    waiting = await plan_in(app, "waiting")
    plan_id = waiting["plan_id"]

    both = await post(
        app,
        f"/fixes/{plan_id}/postpone",
        {"reason": "freeze", "seconds": 5, "until": "2030-01-01T00:00:00Z"},
        SECURITY,
    )
    assert both.status_code == 422
    naive = await post(
        app, f"/fixes/{plan_id}/postpone", {"reason": "x", "until": "2030-01-01T00:00:00"}, SECURITY
    )
    assert naive.status_code == 422
    later = await post(
        app,
        f"/fixes/{plan_id}/postpone",
        {"reason": "change freeze", "until": "2030-01-01T00:00:00Z"},
        SECURITY,
    )
    assert later.status_code == 200, later.text
    assert later.json()["due_at"].startswith("2030-01-01")
    cancelled = await post(app, f"/fixes/{plan_id}/cancel", {"reason": "owner fixes it"}, SECURITY)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await post(app, f"/fixes/{plan_id}/cancel", {"reason": "x"}, SECURITY)
    assert again.status_code == 409
    assert again.json()["field"] == "plan_id"
    missing = await post(app, "/fixes/fp-none/cancel", {"reason": "x"}, SECURITY)
    assert missing.status_code == 404
    history = [step["step"] for step in (await detail(app, plan_id))["history"]]
    assert history[-2:] == ["postponed", "cancelled"]
