"""Every assessor list pages the one way: ``limit`` and ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pacbot.common.testing import as_user, check_cursor_paging
from services.assessor.tests.registry_fixtures import VOLUME_POLICY, FakeInventory, registry_app

IDS = [f"test-volume-{n}" for n in "abcde"]


def five_policies_and_three_broken(root: Path) -> Path:
    """Five volume policies (c and e high, the rest low) and three files that do not load."""
    packs = root / "packs"
    packs.mkdir()
    for policy_id in IDS:
        severity = "high" if policy_id[-1] in "ce" else "low"
        text = VOLUME_POLICY.replace("test-volume-encrypted", policy_id)
        (packs / f"{policy_id}.yaml").write_text(
            text.replace("severity: high", f"severity: {severity}")
        )
    for n in range(3):
        (packs / f"broken-{n}.yaml").write_text(f"id: broken-{n}\nversion: 1\nseverity: [\n")
    return packs


async def test_policies_their_history_and_load_errors(kit: Any, tmp_path: Path) -> None:
    app = registry_app(kit, FakeInventory(), five_policies_and_three_broken(tmp_path))
    async with kit.running(app) as client:
        await check_cursor_paging(client, "/policies", expected=IDS, changed={"severity": "low"})
        await check_cursor_paging(
            client,
            "/policies",
            params={"severity": "low"},
            expected=[IDS[0], IDS[1], IDS[3]],
            changed={"severity": "low", "q": "volumes"},
        )
        for enabled in (True, False, True, False, True):
            patched = await client.patch(
                f"/policies/{IDS[0]}", json={"enabled": enabled}, headers=as_user("ann", "admin")
            )
            assert patched.status_code == 200, patched.text
        await check_cursor_paging(
            client,
            f"/policies/{IDS[0]}/history",
            expected=[5, 4, 3, 2, 1],
            key="revision",
            elsewhere=f"/policies/{IDS[1]}/history",
        )
        await check_cursor_paging(
            client,
            "/policies/errors",
            expected=[f"broken-{n}.yaml" for n in range(3)],
            key="file",
            elsewhere="/policies",
        )
        page = (await client.get("/policies", params={"limit": 2})).json()
        assert (page["total"], len(page["items"])) == (5, 2)
        await kit.settle(app)
