"""Row builders for the read-side tests (no tests here): violations, results and episodes
written straight into a running app's database, so each test controls every column."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import SignedAs
from pacbot.violations.app import create_app
from pacbot.violations.models import Base, ResultRow, ViolationEpisode, ViolationRow
from pacbot.violations.settings import ViolationsSettings

NOW = datetime.now(UTC).replace(microsecond=0)
WHERE = {"account_id": "111111111111", "region": "us-east-1", "resource_type": "aws.s3.bucket"}


def ago(days: float = 0, hours: float = 0) -> datetime:
    """A moment before the tests started."""
    return NOW - timedelta(days=days, hours=hours)


def violation(vid: str, **fields: Any) -> ViolationRow:
    """A violation row with plausible defaults; ``fields`` override any column."""
    asset_id = fields.pop("asset_id", f"arn:aws:s3:::{vid}")
    policy_id = fields.pop("policy_id", "p-public")
    opened_at = fields.pop("opened_at", ago(days=1))
    values: dict[str, Any] = {
        "violation_id": vid,
        "asset_id": asset_id,
        "policy_id": policy_id,
        **WHERE,
        "asset_name": asset_id.rsplit(":", 1)[-1],
        "policy_name": f"policy {policy_id}",
        "severity": "high",
        "category": "security",
        "status": "open",
        "reason": "it fails",
        "close_reason": None,
        "exception_id": None,
        "episode": 1,
        "sequence": 1,
        "owner": "team@example.com",
        "tags": {},
        "asset_version": 1,
        "opened_at": opened_at,
        "updated_at": opened_at,
        "closed_at": None,
        "timeline": [{"at": opened_at.isoformat(), "event": "opened", "detail": "it fails"}],
    }
    values.update(fields)
    values.setdefault("policy", {"policy_id": policy_id, "name": values["policy_name"]})
    values.setdefault("asset", _asset(values))
    return ViolationRow(**values)


def result(asset_id: str, policy_id: str, status: str, **fields: Any) -> ResultRow:
    """A latest-result row; ``fields`` override any column."""
    values: dict[str, Any] = {
        "asset_id": asset_id,
        "policy_id": policy_id,
        "asset_version": 1,
        "status": status,
        "reason": f"{policy_id} is {status}",
        "evidence": {},
        **WHERE,
        "asset_name": asset_id.rsplit(":", 1)[-1],
        "policy_name": f"policy {policy_id}",
        "severity": "high",
        "category": "security",
        "owner": None,
        "tags": {},
        "deleted": False,
        "evaluated_at": NOW,
    }
    values.update(fields)
    values.setdefault("policy", {"policy_id": policy_id})
    values.setdefault("asset", _asset(values))
    return ResultRow(**values)


def episode(
    vid: str,
    number: int,
    severity: str,
    opened: datetime,
    closed: datetime | None,
    reason: str | None,
    **fields: Any,
) -> ViolationEpisode:
    """One violation episode."""
    values: dict[str, Any] = {
        "violation_id": vid,
        "episode": number,
        "policy_id": "p-public",
        **WHERE,
        "severity": severity,
        "category": "security",
        "opened_at": opened,
        "closed_at": closed,
        "close_reason": reason,
    }
    values.update(fields)
    return ViolationEpisode(**values)


def _asset(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "asset_id": values["asset_id"],
        "account_id": values["account_id"],
        "region": values["region"],
        "resource_type": values["resource_type"],
        "name": values["asset_name"],
        "tags": dict(values["tags"]),
        "owner": values["owner"],
    }


async def insert(app: FastAPI, *rows: Base) -> None:
    """Write copies of the rows in one transaction (the originals stay reusable templates)."""
    async with app.state.runtime.db.session() as session:
        session.add_all([_copy(row) for row in rows])


def _copy(row: Base) -> Base:
    columns = row.__table__.columns.keys()
    return type(row)(**{name: getattr(row, name) for name in columns})


def settings_for(database_url: str, **overrides: Any) -> ViolationsSettings:
    """Settings of a read-side test app (no snapshot loop unless asked)."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "bus": "memory",
        "log_json": False,
        "snapshot_interval_seconds": 0,
    }
    values.update(overrides)
    return ViolationsSettings(**values)


@asynccontextmanager
async def serving(
    settings: ViolationsSettings, transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A running violations app and an in-process client."""
    shared = SharedInfra(bus=MemoryBus(), transports=transports or {})
    app = create_app(settings, shared=shared)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://v", auth=SignedAs(app)
        ) as client:
            yield app, client


@asynccontextmanager
async def database_url(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[str, str]]:
    """(URL, service name) of a fresh SQLite file or a fresh schema on the real PostgreSQL.

    The PostgreSQL schema is the service name, so each test gets its own and drops it after.
    """
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/violations.db", "violations"
        return
    stack = request.getfixturevalue("stack")
    name = f"violations_t{uuid.uuid4().hex[:10]}"
    try:
        yield stack.postgres_url, name
    finally:
        from pacbot.common.db import Database

        db = Database(stack.postgres_url)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await db.dispose()


@asynccontextmanager
async def running_on(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A running app on SQLite or on the real PostgreSQL (each test file's fixture uses it)."""
    transports = overrides.pop("transports", None)
    async with (
        database_url(kind, tmp_path, request) as (url, name),
        serving(settings_for(url, service_name=name, **overrides), transports) as running,
    ):
        yield running
