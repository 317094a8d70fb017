"""/assets/search, /assets/reindex and `pacbot-inventory reindex` on the database fallback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from pacbot.common.db import Database
from pacbot.common.migrations import upgrade
from pacbot.inventory import main as inventory_main
from pacbot.inventory.app import MIGRATIONS
from services.inventory.tests.sample_assets import NAMES, seed


async def test_reindex_then_search_with_filters_sort_cursor_and_facets(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    client = inventory.client
    assert (await client.get("/assets/search")).json()["total"] == 0

    reindexed = await client.post("/assets/reindex")
    assert reindexed.status_code == 200
    assert reindexed.json() == {"indexed": 6, "index": "search_documents"}

    everything = (await client.get("/assets/search")).json()
    assert everything["total"] == 6
    assert [i["name"] for i in everything["items"]] == sorted(NAMES)
    assert everything["next_cursor"] is None
    assert everything["facets"]["tags.Environment"] == {"prod": 3, "dev": 2, "test": 1}
    assert everything["facets"]["tag_keys"] == {"Environment": 6, "Owner": 3}

    found = (await client.get("/assets/search", params={"q": "alpha"})).json()
    assert sorted(i["name"] for i in found["items"]) == ["alpha-data", "alpha-logs"]
    params: list[tuple[str, str]] = [("tag", "Environment=prod"), ("tag_key", "Owner")]
    tagged = (await client.get("/assets/search", params=params)).json()
    assert sorted(i["name"] for i in tagged["items"]) == ["alpha-logs", "beta-site", "delta-web"]
    ec2 = {"resource_type": "aws.ec2.instance", "account_id": "111111111111"}
    assert [
        i["name"] for i in (await client.get("/assets/search", params=ec2)).json()["items"]
    ] == ["epsilon-db"]

    newest = {"sort": "updated_at", "order": "desc", "size": 4}
    seen: list[str] = []
    page = (await client.get("/assets/search", params=newest)).json()
    seen += [i["name"] for i in page["items"]]
    assert page["next_cursor"]
    last = await client.get("/assets/search", params={**newest, "cursor": page["next_cursor"]})
    assert last.json()["next_cursor"] is None
    seen += [i["name"] for i in last.json()["items"]]
    assert seen == list(reversed(NAMES))


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"sort": "colour"}, 400, "sort"),
        ({"order": "sideways"}, 422, "order"),
        ({"cursor": "garbage!"}, 400, "cursor"),
        ({"size": 20, "offset": 9990}, 400, "offset"),
        ({"offset": 20000}, 422, "offset"),
        ({"tag": "novalue"}, 400, "tag"),
        ({"size": 0}, 422, "size"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 501}, 422, "limit"),
        ({"limit": 20, "offset": 9990}, 400, "offset"),
        ({"limit": 2, "size": 3}, 400, "size"),
    ],
)
async def test_bad_search_parameters_are_4xx_naming_the_field(
    inventory: Any, params: dict[str, Any], status: int, field: str
) -> None:
    response = await inventory.client.get("/assets/search", params=params)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


async def test_limit_is_the_page_size_and_size_its_old_name(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    await inventory.client.post("/assets/reindex")
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = (await inventory.client.get("/assets/search", params=params)).json()
        assert len(page["items"]) <= 4
        assert page["total"] == len(NAMES)
        seen += [i["name"] for i in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 4, "cursor": page["next_cursor"]}
    assert seen == sorted(NAMES)
    sizes = ({"limit": 1}, {"size": 2}, {"limit": 3, "size": 3}, {})
    pages = [(await inventory.client.get("/assets/search", params=p)).json() for p in sizes]
    assert [len(page["items"]) for page in pages] == [1, 2, 3, 6]
    schema = (await inventory.client.get("/openapi.json")).json()
    parameters = {p["name"]: p for p in schema["paths"]["/assets/search"]["get"]["parameters"]}
    assert parameters["size"]["deprecated"] is True
    assert "deprecated" not in parameters["limit"]


async def test_a_cursor_for_another_sort_is_a_400(inventory: Any) -> None:
    await seed(inventory.runtime.db)
    await inventory.client.post("/assets/reindex")
    first = (await inventory.client.get("/assets/search", params={"size": 1})).json()
    other = {"size": 1, "sort": "region", "cursor": first["next_cursor"]}
    response = await inventory.client.get("/assets/search", params=other)
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


def test_reindex_command_rebuilds_without_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/inventory.db"

    async def prepare() -> None:
        db = Database(url)
        await upgrade(db, MIGRATIONS)
        await seed(db)
        await db.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("PACBOT_INVENTORY_DATABASE_URL", url)
    monkeypatch.setenv("PACBOT_INVENTORY_SEARCH", "database")
    monkeypatch.setenv("PACBOT_EMBEDDED", "true")  # no OpenSearch: only embedded may do that
    monkeypatch.setattr("sys.argv", ["pacbot-inventory", "reindex"])
    inventory_main.main()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "indexed": 6,
        "index": "search_documents",
    }
