"""Alembic per service: one env.py helper, and an upgrade that runs at start or as a job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from pacbot.common.db import Database

_ADVISORY_LOCK = 7_361_001


def run_env(metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``: migrate the connection it was handed."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through pacbot.common.migrations.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _config(script_location: Path, connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, script_location: Path) -> None:
    """Bring the service's schema to head; replicas serialise on an advisory lock."""
    await db.create_schema()
    async with db.engine.begin() as conn:
        if db.is_postgres:
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})"))
        await conn.run_sync(lambda sync: command.upgrade(_config(script_location, sync), "head"))


async def autogenerate(db: Database, script_location: Path, message: str) -> None:
    """Write a new revision from the models' difference to the database (a developer tool)."""
    await db.create_schema()
    async with db.engine.begin() as conn:
        await conn.run_sync(
            lambda sync: command.revision(
                _config(script_location, sync), message=message, autogenerate=True
            )
        )


async def drift(db: Database, script_location: Path, metadata: MetaData) -> list[Any]:
    """What the models declare that the migrations do not build (empty when they agree)."""
    await upgrade(db, script_location)
    async with db.engine.connect() as conn:
        diff: list[Any] = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    return diff
