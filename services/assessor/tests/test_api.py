"""``/policies``: registry listing, one policy, load errors; the contract's field set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import update

from pacbot.assessor.models import PolicyState
from services.assessor.tests.conftest import SKELETON_PACK

FIELDS = {
    "id",
    "version",
    "name",
    "description",
    "resource",
    "severity",
    "category",
    "enabled",
    "autofix",
    "frameworks",
    "remediation",
}


async def test_list_policies_matches_the_contract(kit: Any) -> None:
    async with kit.running(kit.app()) as client:
        response = await client.get("/policies")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [p["id"] for p in items] == [
        "aws-s3-bucket-default-encryption",
        "aws-s3-bucket-public-access",
    ]
    assert all(set(p) == FIELDS for p in items)
    public = items[1]
    assert public["autofix"] == {
        "action": "s3-block-public-access",
        "grace_seconds": 86400.0,
        "params": {},
    }
    assert public["frameworks"] == {"cis-aws-3.0": ["2.1.4"]}
    assert public["enabled"] is True
    assert public["remediation"]["links"]


async def test_get_policy_reflects_registry_state_and_404s(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app) as client:
        async with app.state.runtime.db.session() as session:
            await session.execute(
                update(PolicyState)
                .where(PolicyState.policy_id == "aws-s3-bucket-public-access")
                .values(enabled=False)
            )
        found = await client.get("/policies/aws-s3-bucket-public-access")
        missing = await client.get("/policies/no-such-policy")
    assert found.status_code == 200
    assert found.json()["enabled"] is False
    assert missing.status_code == 404
    assert missing.json()["field"] == "policy_id"


async def test_policy_errors_are_exposed(kit: Any, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.yaml").write_text("id: broken\nversion: 1\nseverity: [\n")
    app = kit.app(policy_paths=[str(SKELETON_PACK), str(extra)])
    async with kit.running(app) as client:
        errors = (await client.get("/policies/errors")).json()["items"]
        policies = (await client.get("/policies")).json()["items"]
    assert len(policies) == 2
    [error] = errors
    assert error["file"] == "broken.yaml"
    assert error["line"] == 4
    assert error["message"].startswith("invalid YAML")


async def test_no_errors_for_the_shipped_pack(kit: Any) -> None:
    async with kit.running(kit.app()) as client:
        assert (await client.get("/policies/errors")).json() == {"items": [], "next_cursor": None}
        health = await client.get("/healthz")
    assert health.json()["service"] == "assessor"
