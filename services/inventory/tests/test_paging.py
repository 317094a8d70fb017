"""Every inventory list pages the one way: ``limit`` and ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pacbot.common.testing import check_cursor_paging
from pacbot.inventory.connectors import CONNECTORS
from pacbot.inventory.models import Account, AssetChange, Sweep
from services.inventory.tests.conftest import StartInventory
from services.inventory.tests.sample_assets import NAMES, seed

START = datetime(2026, 1, 1, tzinfo=UTC)
ARNS = sorted(f"arn:aws:s3:::{name}" for name in NAMES)


async def test_assets(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    await check_cursor_paging(
        inventory.client,
        "/assets",
        expected=ARNS,
        key="asset_id",
        changed={"region": "us-east-1"},
    )


async def test_asset_search(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    assert (await inventory.client.post("/assets/reindex")).status_code == 200
    await check_cursor_paging(
        inventory.client,
        "/assets/search",
        params={"sort": "name", "order": "desc"},
        expected=sorted(NAMES, reverse=True),
        key="name",
        changed={"sort": "name", "order": "asc"},
    )
    await check_cursor_paging(
        inventory.client,
        "/assets/search",
        params=[("tag", "Environment=prod"), ("tag", "Environment=dev")],
        expected=sorted(["alpha-logs", "alpha-data", "beta-site", "delta-web", "epsilon-db"]),
        key="name",
        changed=[("tag", "Environment=prod")],
    )


async def test_group_members_and_groups(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    client = inventory.client
    names = [f"group-{i}" for i in range(5)]
    for name in names:
        group = {
            "name": name,
            "criteria": {"resource_types": ["aws.s3.bucket", "aws.ec2.instance"]},
        }
        assert (await client.post("/groups", json=group)).status_code == 201
    await check_cursor_paging(
        client,
        "/groups/group-0/assets",
        expected=ARNS,
        key="asset_id",
        elsewhere="/groups/group-1/assets",
    )
    await check_cursor_paging(client, "/groups", expected=names, key="name", elsewhere="/accounts")


async def test_accounts_scans_and_history(inventory: Any) -> None:
    accounts = [f"{n:012d}" for n in range(100000000001, 100000000006)]
    async with inventory.runtime.db.session() as session:
        session.add_all(Account(account_id=a, name=a, created_at=START) for a in accounts)
        session.add_all(
            Sweep(
                id=f"sweep-{i}",
                account_id=accounts[i % 2],
                region="us-east-1",
                resource_type="aws.s3.bucket",
                status="succeeded",
                started_at=START + timedelta(minutes=i),
            )
            for i in range(6)
        )
        session.add_all(
            AssetChange(
                asset_id=ARNS[0], version=v, change_type="updated", changed_at=START, changes=[]
            )
            for v in range(1, 6)
        )
    await seed(inventory.runtime.db)
    client = inventory.client
    listed = [a["account_id"] for a in (await client.get("/accounts")).json()["items"]]
    assert set(accounts) <= set(listed)
    await check_cursor_paging(
        client, "/accounts", expected=listed, key="account_id", elsewhere="/groups"
    )
    await check_cursor_paging(
        client,
        "/scans",
        params={"account_id": accounts[0]},
        expected=["sweep-4", "sweep-2", "sweep-0"],
        key="sweep_id",
        changed={"account_id": accounts[1]},
    )
    page = (await client.get("/scans", params={"limit": 1})).json()
    assert page["sweeps"] == page["items"]  # the old name stays until callers move
    await check_cursor_paging(
        client,
        f"/assets/{ARNS[0]}/history",
        expected=[5, 4, 3, 2, 1],
        key="version",
        elsewhere=f"/assets/{ARNS[1]}/history",
    )


async def test_resource_types(start_inventory: StartInventory) -> None:
    async with start_inventory(registry=CONNECTORS) as inventory:
        listed = (await inventory.client.get("/resources")).json()
        types = [t["resource_type"] for t in listed["items"]]
        assert (sorted(types), listed["next_cursor"]) == (sorted(CONNECTORS.types()), None)
        await check_cursor_paging(
            inventory.client,
            "/resources",
            expected=types,
            key="resource_type",
            elsewhere="/groups",
            limit=7,
        )
