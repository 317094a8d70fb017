"""One behavioural suite for both search backends: the database fallback and real OpenSearch."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pacbot.common.db import Database, new_metadata
from pacbot.common.search import (
    DatabaseAssets,
    OpenSearchAssets,
    SearchPage,
    SearchQuery,
    SearchQueryError,
    matches,
    search_table,
)
from pacbot.common.search._cursor import encode_cursor

NAMES = ["alpha-logs", "alpha-data", "beta-site", "gamma-archive", "delta-web", "epsilon-db"]
A, B = "111111111111", "222222222222"


def asset(i: int, **extra: Any) -> dict[str, Any]:
    """Six distinct assets: two accounts, three regions, two types, Environment and Owner tags."""
    tags = {"Environment": ["prod", "dev", "prod", "test", "prod", "dev"][i]}
    if i % 2 == 0:
        tags["Owner"] = "team-a" if i < 4 else "team-b"
    return {
        "asset_id": f"arn:aws:s3:::{NAMES[i]}",
        "account_id": A if i % 2 else B,
        "region": ["us-east-1", "eu-west-1", "us-west-2"][i % 3],
        "resource_type": "aws.s3.bucket" if i < 4 else "aws.ec2.instance",
        "name": NAMES[i],
        "tags": tags,
        "version": 1,
        "updated_at": f"2026-01-0{6 - i}T10:00:00+00:00",
        **extra,
    }


Backend = DatabaseAssets | OpenSearchAssets


@pytest.fixture(params=["database", "opensearch"])
async def search(request: pytest.FixtureRequest, tmp_path: Path, unique: str) -> AsyncIterator[Any]:
    """Either backend, holding the six assets (plus one deleted)."""
    backend: Backend
    if request.param == "database":
        metadata = new_metadata()
        table = search_table(metadata)
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/s.db")
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        backend = DatabaseAssets(db, table)
    else:
        url = request.getfixturevalue("stack").opensearch_url
        backend = OpenSearchAssets(url, alias=f"test-assets-{unique}", refresh=True)
    await backend.start()
    for i in range(len(NAMES)):
        await backend.index(asset(i))
    await backend.index(
        {**asset(0), "asset_id": "arn:aws:s3:::gone", "name": "gone"} | {"deleted": True}
    )
    yield backend
    if isinstance(backend, OpenSearchAssets):
        await backend._client().indices.delete(index=f"{backend.alias}-*", ignore=[404])
    else:
        await backend.db.dispose()
    await backend.stop()


async def find(backend: Backend, **kwargs: Any) -> SearchPage:
    filters = {"deleted": ["false"], **kwargs.pop("filters", {})}
    return await backend.search(SearchQuery(filters=filters, size=kwargs.pop("size", 50), **kwargs))


def names(page: SearchPage) -> list[str]:
    return [item["name"] for item in page.items]


async def test_text_matches_names_ids_and_tags(search: Backend) -> None:
    assert sorted(names(await find(search, text="alpha"))) == ["alpha-data", "alpha-logs"]
    exact = await find(search, text="alpha-logs")
    assert names(exact)[0] == "alpha-logs"
    assert names(await find(search, text="arn:aws:s3:::beta-site")) == ["beta-site"]
    assert sorted(names(await find(search, text="team-b"))) == ["delta-web"]
    assert (await find(search, text="nothing-like-this")).total == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"resource_type": ["aws.ec2.instance"]}, {"delta-web", "epsilon-db"}),
        ({"account_id": [A]}, {"alpha-data", "gamma-archive", "epsilon-db"}),
        ({"region": ["us-east-1", "us-west-2"]}, set(NAMES) - {"alpha-data", "delta-web"}),
        ({"tag_keys": ["Owner"]}, {"alpha-logs", "beta-site", "delta-web"}),
        ({"tag_keys": ["Owner", "Environment"]}, {"alpha-logs", "beta-site", "delta-web"}),
        ({"tag_pairs": ["Environment=prod"]}, {"alpha-logs", "beta-site", "delta-web"}),
        (
            {"tag_pairs": ["Environment=dev", "Environment=test"]},
            {"alpha-data", "gamma-archive", "epsilon-db"},
        ),
        ({"tag_pairs": ["Environment=prod", "Owner=team-a"]}, {"alpha-logs", "beta-site"}),
        ({"deleted": ["true"]}, {"gone"}),
    ],
)
async def test_every_filter(
    search: Backend, filters: dict[str, list[str]], expected: set[str]
) -> None:
    page = await find(search, filters=filters)
    assert set(names(page)) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("field", ["name", "resource_type", "account_id", "region", "updated_at"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_each_sort_with_asset_id_as_tiebreaker(
    search: Backend, field: str, order: str
) -> None:
    docs = [asset(i) for i in range(len(NAMES))]
    docs.sort(key=lambda d: d["asset_id"])
    docs.sort(key=lambda d: d[field], reverse=order == "desc")
    page = await find(search, sort=field, order=order)
    assert names(page) == [d["name"] for d in docs]


@pytest.mark.parametrize(
    ("sort", "text"), [("name", None), ("region", None), ("updated_at", None), (None, "alpha")]
)
async def test_cursor_pages_through_everything_without_gaps(
    search: Backend, sort: str | None, text: str | None
) -> None:
    whole = await find(search, sort=sort, text=text)
    assert whole.next_cursor is None
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await find(search, sort=sort, text=text, size=2, cursor=cursor)
        assert page.total == whole.total
        seen += names(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == names(whole)
    assert len(set(seen)) == len(seen) == whole.total


async def test_offset_paging_and_its_cap(search: Backend) -> None:
    page = await find(search, size=2, offset=2)
    assert names(page) == sorted(NAMES)[2:4]
    assert page.next_cursor is not None
    with pytest.raises(SearchQueryError, match="offset") as caught:
        SearchQuery(size=20, offset=9_990)
    assert caught.value.field == "offset"


async def test_facets_count_types_accounts_regions_tag_keys_and_values(search: Backend) -> None:
    facets = (await find(search)).facets
    assert facets["resource_type"] == {"aws.s3.bucket": 4, "aws.ec2.instance": 2}
    assert facets["account_id"] == {A: 3, B: 3}
    assert facets["region"] == {"us-east-1": 2, "eu-west-1": 2, "us-west-2": 2}
    assert facets["tag_keys"] == {"Environment": 6, "Owner": 3}
    assert facets["tags.Environment"] == {"prod": 3, "dev": 2, "test": 1}
    assert facets["tags.Owner"] == {"team-a": 2, "team-b": 1}
    narrowed = (await find(search, filters={"resource_type": ["aws.ec2.instance"]})).facets
    assert narrowed["tags.Environment"] == {"prod": 1, "dev": 1}


async def test_remove(search: Backend) -> None:
    await search.remove("arn:aws:s3:::alpha-logs")
    await search.remove("arn:aws:s3:::never-there")
    assert "alpha-logs" not in names(await find(search))


async def test_apply_upserts_and_removes_a_batch(search: Backend) -> None:
    renamed = {**asset(1), "name": "alpha-renamed"}
    extra = {**asset(2), "asset_id": "arn:aws:s3:::zeta-new", "name": "zeta-new"}
    await search.apply([renamed, extra], ["arn:aws:s3:::beta-site", "arn:aws:s3:::never-there"])
    found = names(await find(search))
    assert "alpha-renamed" in found
    assert "zeta-new" in found
    assert "alpha-data" not in found
    assert "beta-site" not in found
    assert len(found) == len(NAMES) + 1 - 1
    await search.apply([], [])


async def test_rebuild_replaces_everything_and_swaps_the_alias(search: Backend) -> None:
    before = await search.aliased() if isinstance(search, OpenSearchAssets) else []

    async def fresh() -> AsyncIterator[dict[str, Any]]:
        for i in (1, 3):
            yield asset(i)
        yield asset(5, name="zeta-new", asset_id="arn:aws:s3:::zeta-new")

    rebuilt = await search.rebuild(fresh())
    assert rebuilt.indexed == 3
    page = await search.search(SearchQuery())
    assert names(page) == ["alpha-data", "gamma-archive", "zeta-new"]
    assert page.facets["tags.Environment"] == {"dev": 2, "test": 1}
    if isinstance(search, OpenSearchAssets):
        assert rebuilt.index.startswith(f"{search.alias}-v2-")
        assert await search.aliased() == [rebuilt.index]
        indices = search._client().indices
        assert before
        for old in before:
            assert not await indices.exists(index=old)
        await search.index(asset(0))
        assert (await search.search(SearchQuery())).total == 4
    else:
        assert rebuilt.index == "search_documents"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "colour"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"cursor": "not a cursor!"}, "cursor"),
        ({"cursor": "eyJ4IjogMX0"}, "cursor"),
        ({"size": 0}, "size"),
        ({"filters": {"colour": ["red"]}}, "colour"),
        ({"filters": {"tag_pairs": ["novalue"]}}, "tag_pairs"),
    ],
)
def test_bad_queries_name_the_field(query: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field) as caught:
        SearchQuery(**query)
    assert isinstance(caught.value, SearchQueryError)
    assert caught.value.field == field


async def test_a_cursor_of_another_sort_is_rejected(search: Backend) -> None:
    cursor = (await find(search, sort="name", size=1)).next_cursor
    assert cursor
    with pytest.raises(ValueError, match="cursor"):
        SearchQuery(sort="region", cursor=cursor)
    with pytest.raises(ValueError, match="cursor"):
        SearchQuery(sort="name", cursor=cursor, offset=3)


FORGED = [
    ("updated_at", [2**70, "arn:aws:s3:::a"]),  # past a date's range
    ("updated_at", [-1, "arn:aws:s3:::a"]),
    ("updated_at", ["garbage", "arn:aws:s3:::a"]),
    ("updated_at", ["2026-01-01T00:00:00", "arn:aws:s3:::a"]),  # no zone
    ("updated_at", [1.5, "arn:aws:s3:::a"]),
    ("name", [2**70, "arn:aws:s3:::a"]),
    ("name", [1.5, "arn:aws:s3:::a"]),
    ("name", ["alpha", 7]),
    ("name", ["al\x00pha", "arn:aws:s3:::a"]),
    ("name", ["\ud800", "arn:aws:s3:::a"]),
    ("name", ["x" * 5000, "arn:aws:s3:::a"]),
    ("region", [None, "arn:aws:s3:::a"]),
    ("relevance", [float("nan"), "arn:aws:s3:::a"]),
    ("relevance", [float("inf"), "arn:aws:s3:::a"]),
    ("relevance", ["x", "arn:aws:s3:::a"]),
    ("relevance", [True, "arn:aws:s3:::a"]),
]


@pytest.mark.parametrize(("sort", "values"), FORGED)
def test_a_forged_cursor_is_refused_before_any_backend_sees_it(
    sort: str, values: list[Any]
) -> None:
    cursor = encode_cursor(sort, "asc", values)
    text = "alpha" if sort == "relevance" else None
    with pytest.raises(SearchQueryError, match="not a cursor this search returned") as caught:
        SearchQuery(sort=None if sort == "relevance" else sort, text=text, cursor=cursor)
    assert caught.value.field == "cursor"


@pytest.mark.parametrize(
    "raw",
    [b"[1, 2]", b'{"v": "ab"}', b"[" * 100_000, b'{"s": "name", "o": "asc", "v": [1e999, "a"]}'],
)
def test_cursor_garbage_is_refused(raw: bytes) -> None:
    cursor = base64.urlsafe_b64encode(raw).decode()
    with pytest.raises(SearchQueryError, match="cursor"):
        SearchQuery(sort="name", cursor=cursor)


@pytest.mark.parametrize(
    ("sort", "values"),
    [
        ("updated_at", [0, "arn:aws:s3:::a"]),
        ("updated_at", [253_402_300_799_999, "arn:aws:s3:::a"]),
        ("updated_at", ["2026-01-03T10:00:00.000+00:00", "arn:aws:s3:::a"]),
        ("name", ["", ""]),
        ("relevance", [1e308, "arn:aws:s3:::a"]),
        ("relevance", [3, "arn:aws:s3:::a"]),
    ],
)
async def test_an_edge_cursor_pages_or_is_a_query_error_on_both_backends(
    search: Backend, sort: str, values: list[Any]
) -> None:
    cursor = encode_cursor(sort, "asc", values)
    text = "alpha" if sort == "relevance" else None
    query = SearchQuery(sort=None if sort == "relevance" else sort, text=text, cursor=cursor)
    millis = sort == "updated_at" and isinstance(values[0], int)
    if millis and isinstance(search, DatabaseAssets):  # OpenSearch's form, not the fallback's
        with pytest.raises(SearchQueryError, match="cursor does not fit this sort"):
            await search.search(query)
        return
    page = await search.search(query)
    assert page.total >= 0


def test_group_criteria_match_accounts_regions_types_and_tags() -> None:
    a = asset(0)
    assert matches({"accounts": [B], "tags": {"Owner": "team-a"}}, a)
    assert matches({"regions": ["us-east-1"], "tags": {"Environment": ["dev", "prod"]}}, a)
    assert not matches({"accounts": [A]}, a)
    assert not matches({"resource_types": ["aws.ec2.instance"]}, a)
    assert not matches({"tags": {"Owner": "team-b"}}, a)
    assert not matches({"tags": {"CostCenter": "x"}}, a)
    assert matches({}, a)


async def test_opensearch_write_failures_are_not_swallowed(search: Backend) -> None:
    if not isinstance(search, OpenSearchAssets):
        return  # the database fallback has no mapping to violate
    with pytest.raises(RuntimeError, match="update failed for 1 documents"):
        await search.apply([{**asset(0), "version": "not-a-number"}], [])
