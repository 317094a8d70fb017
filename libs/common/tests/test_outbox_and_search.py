"""Outbox and inbox against SQLite and a real PostgreSQL (search: test_search.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert, select

from pacbot.common.bus import MemoryBus
from pacbot.common.db import Database, new_metadata
from pacbot.common.outbox import Inbox, Outbox, OutboxRelay, inbox_table, outbox_table
from pacbot.common.search import search_table
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
