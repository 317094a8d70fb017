"""What-if: a draft evaluated against inventory's current assets, diffed against the live policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.assessor.policies import whatif
from pacbot.common.events import EVALUATIONS_TOPIC, POLICIES_TOPIC
from services.assessor.tests.registry_fixtures import (
    GRANTS_POLICY,
    FakeInventory,
    asset,
    registry_app,
    write_policies,
)

# live policy (max_grants 0): fails one-grant, two-grants; passes clean.
ASSETS = [
    asset("clean", {"PublicAclGrants": []}),
    asset("one-grant", {"PublicAclGrants": ["READ"]}),
    asset("two-grants", {"PublicAclGrants": ["READ", "WRITE"]}),
    asset("Bad_Name", {"PublicAclGrants": []}),
    asset("vol", {"Encrypted": False}, resource_type="aws.ec2.volume"),
]


def _draft(max_grants: int) -> str:
    return GRANTS_POLICY.replace("version: 1", "version: 2").replace(
        "default: 0", f"default: {max_grants}"
    )


async def test_whatif_reports_fail_pass_open_and_close(
    kit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatif, "PAGE_SIZE", 3)  # two pages for four buckets
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif",
            content=_draft(1),
            headers={"content-type": "application/yaml"},
        )
        await kit.settle(app)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["policy_id"] == "test-bucket-grants"
    assert body["resource"] == "aws.s3.bucket"
    assert body["evaluated"] == 4  # the volume is another resource type
    assert [(f["name"], f["asset_id"]) for f in body["would_fail"]] == [
        ("Bad_Name", "arn:aws:s3:::Bad_Name"),
        ("two-grants", "arn:aws:s3:::two-grants"),
    ]
    assert all(f["reason"] for f in body["would_fail"])
    assert body["would_pass"] == 2
    assert body["errors"] == []
    assert body["would_open"] == []  # Bad_Name and two-grants fail today already
    assert body["would_close"] == ["arn:aws:s3:::one-grant"]
    assert body["current"] == {"exists": True, "enabled": True, "version": 1, "failing": 3}
    # it paged through inventory for exactly the draft's type, and stored or emitted nothing
    asked = [r for r in inventory.requests if r.url.path == "/assets"]
    assert {r.url.params["resource_type"] for r in asked} == {"aws.s3.bucket"}
    assert [r.url.params["offset"] for r in asked] == ["0", "3"]
    assert inventory.replays() == []
    assert kit.bus.messages(POLICIES_TOPIC) == []
    assert kit.bus.messages(EVALUATIONS_TOPIC) == []


async def test_whatif_accepts_a_json_document_and_opens_for_a_new_policy(
    kit: Any, tmp_path: Path
) -> None:
    document = yaml.safe_load(GRANTS_POLICY)
    document["id"] = "test-new-policy"
    document["params"]["name_pattern"]["default"] = "^[a-z]+$"  # no dashes allowed
    app = registry_app(kit, FakeInventory(ASSETS), write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post("/policies/whatif", json=document)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["current"]["exists"] is False
    assert body["would_close"] == []
    assert body["would_open"] == sorted(
        f"arn:aws:s3:::{n}" for n in ("Bad_Name", "one-grant", "two-grants")
    )
    assert body["would_pass"] == 1


async def test_whatif_closes_everything_failing_when_the_live_policy_is_disabled_too(
    kit: Any, tmp_path: Path
) -> None:
    app = registry_app(kit, FakeInventory(ASSETS), write_policies(tmp_path))
    async with kit.running(app) as client:
        await client.patch(
            "/policies/test-bucket-grants", json={"enabled": False}
        )
        response = await client.post(
            "/policies/whatif", content=_draft(0), headers={"content-type": "text/plain"}
        )
    body = response.json()
    assert body["current"]["failing"] == 0  # a disabled policy fails nothing today
    assert body["would_close"] == []
    assert len(body["would_open"]) == 3


async def test_malformed_draft_is_422_with_file_line_and_path(kit: Any, tmp_path: Path) -> None:
    inventory = FakeInventory(ASSETS)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    broken = GRANTS_POLICY.replace("severity: low", "severity: urgent")
    async with kit.running(app) as client:
        bad_field = await client.post(
            "/policies/whatif",
            params={"file": "grants.yaml"},
            content=broken,
            headers={"content-type": "application/yaml"},
        )
        bad_yaml = await client.post(
            "/policies/whatif",
            content="id: x\nseverity: [\n",
            headers={"content-type": "text/plain"},
        )
        bad_condition = await client.post(
            "/policies/whatif",
            content=GRANTS_POLICY.replace("op: le", "op: lesser"),
            headers={"content-type": "application/yaml"},
        )
        not_a_document = await client.post("/policies/whatif", json=[1, 2])
        empty = await client.post(
            "/policies/whatif", content=b"", headers={"content-type": "text/plain"}
        )
    assert bad_field.status_code == 422
    [error] = bad_field.json()["errors"]
    assert error["file"] == "grants.yaml"
    assert error["line"] == 6
    assert error["path"] == "severity"
    assert bad_field.json()["detail"].startswith("grants.yaml:6: severity:")
    assert bad_yaml.status_code == 422
    assert bad_yaml.json()["errors"][0]["message"].startswith("invalid YAML")
    assert bad_condition.status_code == 422
    assert bad_condition.json()["field"] == "condition.and[0].op"
    assert not_a_document.status_code == 422
    assert empty.status_code == 422
    assert inventory.requests == []  # nothing was evaluated


async def test_whatif_inventory_unreachable_is_502(kit: Any, tmp_path: Path) -> None:
    app = registry_app(kit, FakeInventory(down=True), write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.post(
            "/policies/whatif", content=_draft(1), headers={"content-type": "application/yaml"}
        )
    assert response.status_code == 502
    assert "inventory" in response.json()["detail"]
