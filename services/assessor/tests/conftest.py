"""Fixtures: an assessor app on a SQLite file, a shared in-memory bus and event builders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pacbot.assessor.app import create_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.bus import MemoryBus
from pacbot.common.events import (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    AssetUpserted,
    Envelope,
)
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import SignedAs

BUCKET = "arn:aws:s3:::public-bucket"
# The two skeleton policies, frozen here so service tests do not move as the shipped pack grows.
SKELETON_PACK = Path(__file__).parent / "fixtures" / "skeleton"


class AssessorKit:
    """Builds apps and events for one test; every app shares the same bus and database."""

    bucket = BUCKET

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.bus = MemoryBus()

    def restart_bus(self) -> None:
        """A fresh bus, as after a process restart (the database stays)."""
        self.bus = MemoryBus()

    def app(self, **overrides: Any) -> FastAPI:
        """An assessor on this test's SQLite file and bus."""
        overrides.setdefault("policy_paths", [str(SKELETON_PACK)])
        settings = AssessorSettings(
            database_url=f"sqlite+aiosqlite:///{self.tmp_path}/assessor.db",
            bus="memory",
            log_json=False,
            **overrides,
        )
        return create_app(settings, shared=SharedInfra(bus=self.bus))

    @asynccontextmanager
    async def running(self, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        """The app's lifespan plus a client that talks to it in-process."""
        async with app.router.lifespan_context(app):
            await self.bus.start()  # a shared bus is started by its owner, here the test
            try:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://assessor", auth=SignedAs(app)
                ) as c:
                    yield c
            finally:
                await self.bus.stop()

    @staticmethod
    def bucket_config(**fields: Any) -> dict[str, Any]:
        """A private, unencrypted bucket config unless ``fields`` say otherwise."""
        config: dict[str, Any] = {
            "Name": "public-bucket",
            "Arn": BUCKET,
            "Region": "us-east-1",
            "PublicAclGrants": [],
            "PolicyStatus": None,
            "PublicAccessBlock": None,
            "Encryption": None,
            "Tags": {},
        }
        config.update(fields)
        return config

    @staticmethod
    def summary(asset_id: str = BUCKET, resource_type: str = "aws.s3.bucket") -> AssetSummary:
        """The asset summary inventory would send."""
        return AssetSummary(
            asset_id=asset_id,
            account_id="123456789012",
            region="us-east-1",
            resource_type=resource_type,
            name=asset_id.rsplit(":", 1)[-1],
        )

    def upserted(
        self,
        version: int,
        config: dict[str, Any],
        *,
        replay: bool = False,
        asset_id: str = BUCKET,
        resource_type: str = "aws.s3.bucket",
    ) -> AssetUpserted:
        """An ``asset.upserted`` event for one asset version."""
        return AssetUpserted(
            asset=self.summary(asset_id, resource_type),
            version=version,
            config=config,
            config_hash=f"hash-{version}",
            discovered_at=datetime(2026, 1, 1, tzinfo=UTC),
            replay=replay,
        )

    def deleted(self, version: int, asset_id: str = BUCKET) -> AssetDeleted:
        """An ``asset.deleted`` event."""
        return AssetDeleted(
            asset=self.summary(asset_id),
            version=version,
            deleted_at=datetime(2026, 1, 2, tzinfo=UTC),
        )

    async def publish(self, event: AssetUpserted | AssetDeleted) -> None:
        """Publish as inventory would, and wait until every consumer caught up."""
        asset_id = event.asset.asset_id
        envelope = Envelope.wrap(event, source="test", subject=asset_id)
        await self.bus.publish(ASSETS_TOPIC, envelope, key=asset_id)
        await self.bus.drain()

    async def settle(self, app: FastAPI) -> None:
        """Wait until the app's outbox relay has sent everything and consumers caught up."""
        runtime = app.state.runtime
        async with asyncio.timeout(10):
            while True:
                async with runtime.db.session() as session:
                    pending = await session.scalar(
                        select(func.count()).select_from(runtime.outbox.table)
                    )
                if not pending and not self.bus.lag():
                    return
                await asyncio.sleep(0.01)

    async def evaluations(self, app: FastAPI) -> list[AssetEvaluated]:
        """Every evaluation emitted so far, once the app's outbox is relayed."""
        await self.settle(app)
        return [
            Envelope.decode(m.value).payload_as(AssetEvaluated)
            for m in self.bus.messages(EVALUATIONS_TOPIC)
        ]


@pytest.fixture
def kit(tmp_path: Path) -> AssessorKit:
    return AssessorKit(tmp_path)
