"""Outbox, inbox and search adapters against SQLite, a real PostgreSQL and a real OpenSearch."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select

from pacbot.common.bus import MemoryBus
from pacbot.common.db import Database, new_metadata
from pacbot.common.outbox import Inbox, Outbox, OutboxRelay, inbox_table, outbox_table
from pacbot.common.search import DatabaseAssets, OpenSearchAssets, SearchQuery, search_table
from pacbot.common.testing import sample_event


def _tables() -> tuple[MetaData, Table, Outbox, Inbox, Table]:
    metadata = new_metadata()
    things = Table("things", metadata, Column("id", String(40), primary_key=True))
    outbox = Outbox(outbox_table(metadata), source="test")
    inbox = Inbox(inbox_table(metadata))
    search_table(metadata)
    return metadata, things, outbox, inbox, metadata.tables["search_documents"]


@pytest.fixture(params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path, unique: str
) -> AsyncIterator[Database]:
    """A migrated database of either kind, in its own schema / file."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    else:
        db = Database(request.getfixturevalue("stack").postgres_url, schema=f"t_{unique}")
    await db.create_schema()
    yield db
    await db.dispose()


async def test_outbox_events_leave_only_when_the_transaction_commits(database: Database) -> None:
    metadata, things, outbox, _, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = MemoryBus()
    relay = OutboxRelay(database, outbox, bus)

    async def failing_change() -> None:
        async with database.session() as session:
            await session.execute(insert(things).values(id="rolled-back"))
            await outbox.add(session, "t.topic", sample_event(version=1), key="k")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        await failing_change()
    async with database.session() as session:
        await session.execute(insert(things).values(id="kept"))
        await outbox.add(session, "t.topic", sample_event(version=2), key="k")
        await outbox.add(session, "t.topic", sample_event(version=3), key="k")

    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    sent = [m.value for m in bus.messages("t.topic")]
    assert [b'"version":2' in v for v in sent] == [True, False]
    assert b'"version":3' in sent[1]
    async with database.session() as session:
        assert list(await session.scalars(select(things.c.id))) == ["kept"]


async def test_inbox_says_first_time_once(database: Database) -> None:
    metadata, _, _, inbox, _ = _tables()
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.session() as session:
        assert await inbox.first_time(session, "g", "e1") is True
    async with database.session() as session:
        assert await inbox.first_time(session, "g", "e1") is False
        assert await inbox.first_time(session, "other", "e1") is True


def _asset(i: int, **extra: object) -> dict[str, object]:
    return {
        "asset_id": f"arn:aws:s3:::bucket-{i}",
        "account_id": "111111111111" if i % 2 else "222222222222",
        "region": "us-east-1",
        "resource_type": "aws.s3.bucket",
        "name": f"bucket-{i}",
        "tags": {"Environment": "prod" if i < 3 else "dev"},
        "version": 1,
        **extra,
    }


@pytest.fixture(params=["database", "opensearch"])
async def search(request: pytest.FixtureRequest, tmp_path, unique: str) -> AsyncIterator[object]:
    """Either search backend, empty."""
    if request.param == "database":
        metadata, _, _, _, table = _tables()
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/s.db")
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        backend: object = DatabaseAssets(db, table)
    else:
        url = request.getfixturevalue("stack").opensearch_url
        backend = OpenSearchAssets(url, alias=f"test-assets-{unique}", refresh=True)
    await backend.start()  # type: ignore[attr-defined]
    yield backend
    await backend.stop()  # type: ignore[attr-defined]


async def test_search_finds_by_text_filters_and_counts_facets(search: DatabaseAssets) -> None:
    for i in range(5):
        await search.index(_asset(i))
    page = await search.search(SearchQuery(text="bucket-3"))
    assert page.items[0]["asset_id"] == "arn:aws:s3:::bucket-3"
    prod = await search.search(SearchQuery(filters={"tag_pairs": ["Environment=prod"]}, size=10))
    assert prod.total == 3
    assert {d["name"] for d in prod.items} == {"bucket-0", "bucket-1", "bucket-2"}
    everything = await search.search(SearchQuery(size=2, offset=2))
    assert everything.total == 5
    assert len(everything.items) == 2
    assert everything.facets["account_id"] == {"111111111111": 2, "222222222222": 3}
    await search.remove("arn:aws:s3:::bucket-0")
    assert (await search.search(SearchQuery())).total == 4


def test_unknown_search_filter_is_rejected_with_its_name() -> None:
    with pytest.raises(ValueError, match="unknown search filter"):
        SearchQuery(filters={"colour": ["red"]})
