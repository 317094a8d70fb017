"""Policy registry over HTTP: filters, audited changes, PoliciesChanged, replay, evaluation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from pacbot.assessor.app import create_app
from pacbot.assessor.policies import repository
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.policies.reconcile import Reconciled, reconcile_registry
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.assessor.settings import AssessorSettings
from pacbot.cli.devstack import StackInfo
from pacbot.common.db import Database
from pacbot.common.events import POLICIES_TOPIC, Envelope, PoliciesChanged, utcnow
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import as_user, eventually
from services.assessor.tests.registry_fixtures import (
    VOLUME_POLICY,
    FakeInventory,
    registry_app,
    write_policies,
)

GRANTS = "test-bucket-grants"
VOLUME = "test-volume-encrypted"


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


async def test_list_filters(kit: Any, tmp_path: Path) -> None:
    app = registry_app(kit, FakeInventory(), write_policies(tmp_path))
    async with kit.running(app) as client:
        assert _ids(await client.get("/policies")) == [GRANTS, VOLUME]
        assert _ids(await client.get("/policies", params={"resource": "aws.ec2.volume"})) == [
            VOLUME
        ]
        assert _ids(await client.get("/policies", params={"severity": "low"})) == [GRANTS]
        assert _ids(await client.get("/policies", params={"category": "security"})) == [VOLUME]
        assert _ids(await client.get("/policies", params={"framework": "cis-aws-3.0"})) == [
            GRANTS,
            VOLUME,
        ]
        assert _ids(await client.get("/policies", params={"framework": "cis-aws-3.0:2.1.1"})) == [
            GRANTS
        ]
        assert _ids(await client.get("/policies", params={"framework": "cis-aws-3.0:2.2.1"})) == [
            VOLUME
        ]
        assert _ids(await client.get("/policies", params={"framework": "cis-aws-3.0:9.9"})) == []
        assert _ids(await client.get("/policies", params={"enabled": "false"})) == [VOLUME]
        assert _ids(await client.get("/policies", params={"enabled": "true"})) == [GRANTS]
        assert _ids(await client.get("/policies", params={"q": "PUBLIC grants"})) == [GRANTS]
        assert _ids(await client.get("/policies", params={"q": "public volume"})) == []
        detail = (await client.get(f"/policies/{GRANTS}")).json()
    assert detail["revision"] == 0
    assert detail["params"]["max_grants"] == {
        "default": 0,
        "value": 0,
        "overridden": False,
        "description": "how many public grants are tolerated",
    }


async def test_list_pages_with_limit_and_offset_and_a_total(kit: Any, tmp_path: Path) -> None:
    app = registry_app(kit, FakeInventory(), write_policies(tmp_path))
    async with kit.running(app) as client:
        first = await client.get("/policies", params={"limit": 1})
        second = await client.get("/policies", params={"limit": 1, "offset": 1})
        past = await client.get("/policies", params={"limit": 1, "offset": 2})
        filtered = await client.get("/policies", params={"limit": 1, "severity": "low"})
        everything = await client.get("/policies")
        refused = [
            await client.get("/policies", params=bad)
            for bad in ({"limit": 0}, {"limit": 1001}, {"offset": 2**63}, {"offset": -1})
        ]
    assert (_ids(first), first.json()["total"]) == ([GRANTS], 2)
    assert (_ids(second), second.json()["total"]) == ([VOLUME], 2)
    assert (_ids(past), past.json()["total"]) == ([], 2)
    assert (_ids(filtered), filtered.json()["total"]) == ([GRANTS], 1)
    assert (_ids(everything), everything.json()["total"]) == ([GRANTS, VOLUME], 2)
    assert [(r.status_code, r.json()["field"]) for r in refused] == [
        (422, "limit"),
        (422, "limit"),
        (422, "offset"),
        (422, "offset"),
    ]


async def test_patch_is_audited_announced_and_replayed(kit: Any, tmp_path: Path) -> None:
    inventory = FakeInventory()
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        disabled = await client.patch(
            f"/policies/{GRANTS}",
            json={"enabled": False, "reason": "noisy"},
            headers=as_user("alice", "admin"),
        )
        tuned = await client.patch(
            f"/policies/{GRANTS}",
            json={"enabled": True, "params": {"max_grants": 2}},
            headers=as_user("bob", "admin"),
        )
        same = await client.patch(
            f"/policies/{GRANTS}",
            json={"params": {"max_grants": 2}},
            headers=as_user("bob", "admin"),
        )
        history = await client.get(f"/policies/{GRANTS}/history")
        older = await client.get(f"/policies/{GRANTS}/history", params={"limit": 1, "offset": 1})
        too_deep = await client.get(f"/policies/{GRANTS}/history", params={"offset": 2**63})
        listed = (await client.get("/policies", params={"enabled": "true"})).json()["items"]
        await kit.settle(app)

    assert disabled.status_code == 200, disabled.text
    body = disabled.json()
    assert body["policy"]["enabled"] is False
    assert body["policy"]["revision"] == 1
    assert body["change"]["changes"] == {"enabled": {"before": True, "after": False}}
    assert body["replay"] == {"status": "requested", "replayed": 0, "error": None}

    assert tuned.status_code == 200, tuned.text
    policy = tuned.json()["policy"]
    assert policy["enabled"] is True
    assert policy["revision"] == 2
    assert policy["params"]["max_grants"]["value"] == 2
    assert policy["params"]["max_grants"]["overridden"] is True
    assert tuned.json()["change"]["changes"] == {
        "enabled": {"before": False, "after": True},
        "params": {"max_grants": {"before": 0, "after": 2}},
    }

    # a patch that changes nothing is no new revision, no event, no replay
    assert same.status_code == 200
    assert same.json()["change"] is None
    assert same.json()["policy"]["revision"] == 2
    assert same.json()["replay"]["status"] == "skipped"

    items = history.json()["items"]
    assert history.json()["revision"] == 2
    assert [c["revision"] for c in older.json()["items"]] == [1]
    assert (too_deep.status_code, too_deep.json()["field"]) == (422, "offset")
    assert [(i["revision"], i["changed_by"], i["reason"]) for i in items] == [
        (2, "bob", None),
        (1, "alice", "noisy"),
    ]
    assert items[1]["changes"]["enabled"] == {"before": True, "after": False}
    assert [p["id"] for p in listed] == [GRANTS]

    events = [
        Envelope.decode(m.value).payload_as(PoliciesChanged)
        for m in kit.bus.messages(POLICIES_TOPIC)
    ]
    assert [(e.policy_ids, e.resource_types, e.disabled_policy_ids) for e in events] == [
        ([GRANTS], ["aws.s3.bucket"], [GRANTS]),
        ([GRANTS], ["aws.s3.bucket"], []),
    ]
    assert inventory.replays() == [["aws.s3.bucket"], ["aws.s3.bucket"]]


async def test_change_stays_when_inventory_is_unreachable(kit: Any, tmp_path: Path) -> None:
    inventory = FakeInventory(down=True)
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        response = await client.patch(
            f"/policies/{VOLUME}", json={"enabled": True}, headers=as_user("carol", "admin")
        )
        after = (await client.get(f"/policies/{VOLUME}")).json()
        await kit.settle(app)
    assert response.status_code == 200, response.text
    assert response.json()["replay"]["status"] == "failed"
    assert "unreachable" in response.json()["replay"]["error"]
    assert after["enabled"] is True
    assert after["revision"] == 1
    assert len(inventory.replays()) == 1  # it was asked
    assert len(kit.bus.messages(POLICIES_TOPIC)) == 1  # the event stays for a later replay


async def test_bad_changes_are_rejected_naming_the_field(kit: Any, tmp_path: Path) -> None:
    inventory = FakeInventory()
    app = registry_app(kit, inventory, write_policies(tmp_path))
    async with kit.running(app) as client:
        unknown = await client.patch(
            f"/policies/{GRANTS}", json={"params": {"max_grant": 1}}, headers=as_user("x", "admin")
        )
        wrong_type = await client.patch(
            f"/policies/{GRANTS}",
            json={"params": {"max_grants": "lots"}},
            headers=as_user("x", "admin"),
        )
        bad_regex = await client.patch(
            f"/policies/{GRANTS}",
            json={"params": {"name_pattern": "(["}},
            headers=as_user("x", "admin"),
        )
        undeclared = await client.patch(
            f"/policies/{VOLUME}", json={"params": {"anything": 1}}, headers=as_user("x", "admin")
        )
        nothing = await client.patch(f"/policies/{GRANTS}", json={}, headers=as_user("x", "admin"))
        forged = await client.patch(
            f"/policies/{GRANTS}", json={"enabled": False, "changed_by": "mallory"}
        )
        viewer = await client.patch(
            f"/policies/{GRANTS}", json={"enabled": False}, headers=as_user("v", "viewer")
        )
        missing = await client.patch(
            "/policies/no-such", json={"enabled": False}, headers=as_user("x", "admin")
        )
        missing_history = await client.get("/policies/no-such/history")
        after = (await client.get(f"/policies/{GRANTS}")).json()
        await kit.settle(app)

    assert unknown.status_code == 422
    assert unknown.json()["field"] == "params.max_grant"
    assert "max_grants" in unknown.json()["detail"]  # names what it expected
    assert wrong_type.status_code == 422
    assert wrong_type.json()["field"] == "params.max_grants"
    assert bad_regex.status_code == 422
    assert bad_regex.json()["field"] == "params.name_pattern"
    assert "condition.and[1].value" in bad_regex.json()["detail"]
    assert undeclared.status_code == 422
    assert undeclared.json()["field"] == "params.anything"
    assert nothing.status_code == 422
    assert forged.status_code == 422  # who changes it is the signed caller, never the body
    assert forged.json()["field"] == "changed_by"
    assert viewer.status_code == 403
    assert missing.status_code == 404
    assert missing.json()["field"] == "policy_id"
    assert missing_history.status_code == 404
    # nothing was changed, announced or replayed
    assert after["revision"] == 0
    assert after["params"]["name_pattern"]["value"] == "^[a-z-]+$"
    assert kit.bus.messages(POLICIES_TOPIC) == []
    assert inventory.replays() == []


async def test_evaluation_uses_enabled_state_and_overridden_params(
    kit: Any, tmp_path: Path
) -> None:
    app = registry_app(kit, FakeInventory(), write_policies(tmp_path))
    two_grants = kit.bucket_config(Name="grants-bucket", PublicAclGrants=["READ", "WRITE"])
    async with kit.running(app) as client:
        await kit.publish(kit.upserted(1, two_grants))
        first = await kit.evaluations(app)

        patched = await client.patch(
            f"/policies/{GRANTS}",
            json={"params": {"max_grants": 2}},
            headers=as_user("dana", "admin"),
        )
        assert patched.status_code == 200
        await kit.publish(kit.upserted(1, two_grants, replay=True))
        second = await kit.evaluations(app)

        await client.patch(
            f"/policies/{GRANTS}", json={"enabled": False}, headers=as_user("dana", "admin")
        )
        await kit.publish(kit.upserted(1, two_grants, replay=True))
        third = await kit.evaluations(app)

    [before] = first
    assert [(r.policy.policy_id, r.status) for r in before.results] == [(GRANTS, "fail")]
    assert [(r.policy.policy_id, r.status) for r in second[-1].results] == [(GRANTS, "pass")]
    assert len(third) == 3
    assert third[-1].results == []  # disabled: not evaluated at all


def _policy_events(kit: Any) -> list[PoliciesChanged]:
    return [
        Envelope.decode(m.value).payload_as(PoliciesChanged)
        for m in kit.bus.messages(POLICIES_TOPIC)
    ]


async def _start(kit: Any, packs: Path) -> tuple[dict[str, Any], list[PoliciesChanged]]:
    """Start the assessor on ``packs`` with a fresh bus (a restart); what it serves and emits."""
    kit.restart_bus()
    app = registry_app(kit, FakeInventory(), packs)
    async with kit.running(app) as client:
        served = {
            "ids": _ids(await client.get("/policies")),
            "volume": await client.get(f"/policies/{VOLUME}"),
            "history": await client.get(f"/policies/{VOLUME}/history"),
            "patch": await client.patch(
                f"/policies/{VOLUME}", json={"enabled": True}, headers=as_user("x", "admin")
            ),
        }
        await kit.settle(app)
    return served, _policy_events(kit)


async def test_a_policy_removed_from_the_pack_is_recorded_and_announced_once(
    kit: Any, tmp_path: Path
) -> None:
    packs = write_policies(tmp_path)
    app = registry_app(kit, FakeInventory(), packs)
    async with kit.running(app) as client:
        assert _ids(await client.get("/policies")) == [GRANTS, VOLUME]
        await kit.settle(app)
    assert _policy_events(kit) == []  # a first start removes nothing

    (packs / "volume.yaml").unlink()
    served, events = await _start(kit, packs)
    assert served["ids"] == [GRANTS]
    gone = served["volume"]
    assert gone.status_code == 404
    assert gone.json()["error"] == "PolicyRemoved"
    assert gone.json()["field"] == "policy_id"
    assert f"policy {VOLUME!r} was removed from the pack" in gone.json()["detail"]
    assert served["patch"].status_code == 404
    assert served["patch"].json()["error"] == "PolicyRemoved"
    history = served["history"].json()
    assert history["revision"] == 1
    [removal] = history["items"]
    assert (removal["revision"], removal["changed_by"], removal["changes"]) == (
        1,
        "assessor",
        {"removed": {"before": False, "after": True}},
    )
    assert removal["reason"] == "no loaded pack defines this policy any more"
    assert [(e.policy_ids, e.resource_types, e.removed_policy_ids) for e in events] == [
        ([VOLUME], [], [VOLUME])
    ]
    assert [m.key for m in kit.bus.messages(POLICIES_TOPIC)] == [VOLUME]  # ordered per policy

    served, events = await _start(kit, packs)  # a restart on the same pack
    assert events == []  # announced exactly once
    assert served["history"].json()["revision"] == 1
    assert served["volume"].json()["error"] == "PolicyRemoved"

    unknown = registry_app(kit, FakeInventory(), packs)
    async with kit.running(unknown) as client:
        never = await client.get("/policies/never-existed")
    assert never.status_code == 404
    assert never.json()["error"] == "NotFound"


async def test_a_removed_policy_that_comes_back_is_restored_and_can_be_removed_again(
    kit: Any, tmp_path: Path
) -> None:
    packs = write_policies(tmp_path)
    await _start(kit, packs)
    (packs / "volume.yaml").unlink()
    await _start(kit, packs)

    write_policies(tmp_path)  # the policy is back in the pack
    served, events = await _start(kit, packs)
    assert served["ids"] == [GRANTS, VOLUME]
    assert served["volume"].status_code == 200
    # the first start's PATCH enabled it (its YAML says disabled): registry state survives
    assert served["volume"].json()["enabled"] is True
    changes = [i["changes"] for i in served["history"].json()["items"]]
    assert changes == [
        {"removed": {"before": True, "after": False}},
        {"removed": {"before": False, "after": True}},
        {"enabled": {"before": False, "after": True}},
    ]
    assert served["patch"].json()["change"] is None  # already enabled: nothing to announce
    assert [
        (e.policy_ids, e.resource_types, e.disabled_policy_ids, e.removed_policy_ids)
        for e in events
    ] == [([VOLUME], ["aws.ec2.volume"], [], [])]  # restored: its type needs assessing again

    (packs / "volume.yaml").unlink()
    _served, events = await _start(kit, packs)
    assert [e.removed_policy_ids for e in events] == [[VOLUME]]  # a second removal is new


async def _two_replicas_reconcile(runtime: Any, packs: Path) -> None:
    """Two replicas reconcile the same registry at the same moment, without relaying."""
    catalog = PolicyCatalog(load_policies([packs]))

    async def replica() -> Reconciled:
        async with runtime.db.session() as session:
            return await reconcile_registry(session, catalog, runtime.outbox, utcnow())

    try:
        first, second = await asyncio.gather(replica(), replica())
    finally:
        await runtime.db.dispose()
    assert sorted([first.removed, second.removed]) == [[], [VOLUME]]


class _SchemaSettings(AssessorSettings):
    """Assessor settings whose PostgreSQL schema is this test's own."""

    schema_name: str = "assessor"

    @property
    def db_schema(self) -> str:
        return self.schema_name


async def test_removal_is_recorded_once_on_postgres(
    stack: StackInfo, unique: str, kit: Any, tmp_path: Path
) -> None:
    packs = write_policies(tmp_path)
    schema = f"assessor_{unique}"
    emitted: list[list[PoliciesChanged]] = []

    def app_on_postgres() -> FastAPI:
        settings = _SchemaSettings(
            database_url=stack.postgres_url,
            schema_name=schema,
            bus="memory",
            log_json=False,
            outbox_poll_seconds=0.02,
            policy_paths=[str(packs)],
        )
        return create_app(settings, shared=SharedInfra(bus=kit.bus))

    try:
        for step in ("both", "removed", "restart"):
            if step == "removed":
                (packs / "volume.yaml").unlink()
                await _two_replicas_reconcile(app_on_postgres().state.runtime, packs)
            kit.restart_bus()
            app = app_on_postgres()
            async with kit.running(app) as client:
                listed = _ids(await client.get("/policies"))
                volume = await client.get(f"/policies/{VOLUME}")
                await kit.settle(app)
            emitted.append(_policy_events(kit))
            assert listed == ([GRANTS, VOLUME] if step == "both" else [GRANTS])
            assert volume.status_code == (200 if step == "both" else 404)
        # the two replicas staged one event between them; the next start relayed it, and
        # neither that start nor the one after it added another
        assert [[e.removed_policy_ids for e in events] for events in emitted] == [
            [],
            [[VOLUME]],
            [],
        ]
        async with app.state.runtime.db.session() as session:
            [change] = await repository.changes_of(session, VOLUME, 10)
        assert change.changes == {"removed": {"before": False, "after": True}}
    finally:
        db = Database(stack.postgres_url, schema=schema)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await db.dispose()


async def _startup_replays(kit: Any, packs: Path) -> list[list[str]]:
    """Start the assessor on ``packs`` (a restart) and return the replays it asked inventory for."""
    kit.restart_bus()
    inventory = FakeInventory()
    app = registry_app(kit, inventory, packs, replay_on_deploy=True)
    async with kit.running(app):

        async def replayed() -> bool:
            return bool(app.state.startup_replay.done())

        await eventually(replayed, timeout=10, what="the startup replay")
    return inventory.replays()


async def test_new_and_edited_policies_are_replayed_against_existing_assets(
    kit: Any, tmp_path: Path
) -> None:
    packs = write_policies(tmp_path)
    # First deployment: every policy is new; only enabled ones need their assets (volume is off).
    assert await _startup_replays(kit, packs) == [["aws.s3.bucket"]]
    assert await _startup_replays(kit, packs) == []  # same documents: nothing to re-assess

    grants = packs / "grants.yaml"
    grants.write_text(grants.read_text().replace("severity: low", "severity: medium"))
    assert await _startup_replays(kit, packs) == [["aws.s3.bucket"]]  # edited in the pack
    assert await _startup_replays(kit, packs) == []

    (packs / "extra.yaml").write_text(
        VOLUME_POLICY.replace("test-volume-encrypted", "test-volume-new").replace(
            "enabled: false", "enabled: true"
        )
    )
    assert await _startup_replays(kit, packs) == [["aws.ec2.volume"]]  # added to the pack
