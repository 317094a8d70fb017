"""The gateway in front of a real assessor: registry changes, history and what-if pass through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.assessor.tests.conftest import AssessorKit
from services.assessor.tests.registry_fixtures import FakeInventory, registry_app, write_policies

GRANTS = "test-bucket-grants"


@pytest.fixture
def kit(tmp_path: Path) -> AssessorKit:
    """An assessor kit on this test's database and bus."""
    return AssessorKit(tmp_path)


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


async def test_gateway_forwards_the_registry_and_whatif(kit: Any, tmp_path: Path) -> None:
    from pacbot.common.runtime import SharedInfra
    from pacbot.gateway.app import create_app as create_gateway
    from pacbot.gateway.auth.keys import KeySpec, issue_direct
    from pacbot.gateway.settings import GatewaySettings

    inventory = FakeInventory()
    assessor = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(assessor):
        settings = GatewaySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db", bus="memory", log_json=False
        )
        transports: dict[str, httpx.AsyncBaseTransport] = {
            "assessor": httpx.ASGITransport(assessor)
        }
        gateway = create_gateway(settings, shared=SharedInfra(bus=kit.bus, transports=transports))
        async with gateway.router.lifespan_context(gateway):
            admin = KeySpec(name="gw", roles=frozenset({"admin"}))  # acts as subject "gw"
            token = await issue_direct(gateway.state.runtime.db, admin)
            transport = httpx.ASGITransport(gateway)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://gw",
                headers={"Authorization": f"Bearer {token}"},
            ) as gw:
                listed = await gw.get("/api/v1/policies", params={"severity": "low"})
                patched = await gw.patch(
                    f"/api/v1/policies/{GRANTS}",
                    json={"enabled": False},
                )
                bad = await gw.patch(
                    f"/api/v1/policies/{GRANTS}",
                    json={"params": {"x": 1}},
                )
                named = await gw.patch(  # the actor is the key's subject, never the body's
                    f"/api/v1/policies/{GRANTS}",
                    json={"enabled": True, "changed_by": "mallory"},
                )
                history = await gw.get(f"/api/v1/policies/{GRANTS}/history", params={"limit": 1})
                whatif = await gw.post(
                    "/api/v1/policies/whatif",
                    params={"file": "draft.yaml"},
                    content="id: [",
                    headers={"content-type": "application/yaml"},
                )
        await kit.settle(assessor)
    assert _ids(listed) == [GRANTS]
    assert patched.status_code == 200
    assert patched.json()["policy"]["revision"] == 1
    assert bad.status_code == 422
    assert bad.json()["field"] == "params.x"
    assert named.status_code == 422, named.text
    assert "changed_by" in named.text
    assert [i["changed_by"] for i in history.json()["items"]] == ["gw"]
    assert whatif.status_code == 422
    assert whatif.json()["errors"][0]["file"] == "draft.yaml"
    assert inventory.replays() == [["aws.s3.bucket"]]
