"""Every service's Alembic migrations build exactly the tables its models declare."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from pacbot.common.db import Database
from pacbot.common.migrations import drift

SERVICES = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models(service: str, tmp_path: Path) -> None:
    app = importlib.import_module(f"pacbot.{service}.app")
    models = importlib.import_module(f"pacbot.{service}.models")
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/schema.db")
    try:
        assert await drift(db, app.MIGRATIONS, models.Base.metadata) == []
    finally:
        await db.dispose()
