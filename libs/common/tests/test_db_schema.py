"""A service's PostgreSQL schema is created once however many replicas start at the same time."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from pacbot.cli.devstack import StackInfo
from pacbot.common.db import Database

REPLICAS = 6
ROUNDS = 8


async def test_replicas_starting_together_all_find_their_schema(
    stack: StackInfo, unique: str
) -> None:
    """Every replica's create_schema succeeds, each on its own connection, for a fresh schema."""
    replicas = [Database(stack.postgres_url) for _ in range(REPLICAS)]
    schemas = [f"s_{unique}_{n}" for n in range(ROUNDS)]
    try:
        assert all(await asyncio.gather(*(replica.ping() for replica in replicas)))  # pools warm
        for schema in schemas:
            for replica in replicas:
                replica.schema = schema
            results = await asyncio.gather(
                *(replica.create_schema() for replica in replicas), return_exceptions=True
            )
            assert [r for r in results if r is not None] == [], schema
        async with replicas[0].engine.connect() as conn:
            found = await conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                {"p": f"s_{unique}_%"},
            )
            assert sorted(found.scalars()) == sorted(schemas)
    finally:
        async with replicas[0].engine.begin() as conn:
            for schema in schemas:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        for replica in replicas:
            await replica.dispose()
