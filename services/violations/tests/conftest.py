"""Fixtures: a violations app on a SQLite file, a shared in-memory bus and event builders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pacbot.common.bus import MemoryBus
from pacbot.common.events import (
    ASSETS_TOPIC,
    AUTOFIX_TOPIC,
    EVALUATIONS_TOPIC,
    EXCEPTIONS_TOPIC,
    POLICIES_TOPIC,
    VIOLATIONS_TOPIC,
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    AutofixSpec,
    Envelope,
    EventData,
    ExceptionChanged,
    FixChanged,
    PoliciesChanged,
    PolicyRef,
    PolicyResult,
    ViolationChanged,
)
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import SignedAs
from pacbot.violations.app import create_app
from pacbot.violations.settings import ViolationsSettings

T0 = datetime(2026, 3, 1, tzinfo=UTC)
BUCKET = "arn:aws:s3:::logs"
PUBLIC = PolicyRef(
    policy_id="aws-s3-bucket-public-access",
    name="S3 buckets must not be publicly accessible",
    severity="critical",
    category="security",
    autofix=AutofixSpec(action="s3-block-public-access", grace_seconds=2),
)
ENCRYPTION = PolicyRef(
    policy_id="aws-s3-bucket-default-encryption",
    name="S3 buckets must encrypt objects by default",
    severity="high",
    category="security",
)
POLICIES = {p.policy_id: p for p in (PUBLIC, ENCRYPTION)}


class ViolationsKit:
    """Builds the app and the events of one test; one bus, one database file."""

    t0 = T0
    bucket = BUCKET
    public = PUBLIC.policy_id
    encryption = ENCRYPTION.policy_id

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.bus = MemoryBus()

    def app(self) -> FastAPI:
        """A violations service on this test's SQLite file and bus."""
        settings = ViolationsSettings(
            database_url=f"sqlite+aiosqlite:///{self.tmp_path}/violations.db",
            bus="memory",
            log_json=False,
        )
        return create_app(settings, shared=SharedInfra(bus=self.bus))

    @asynccontextmanager
    async def running(self, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        """The app's lifespan, the shared bus started, and an in-process client."""
        async with app.router.lifespan_context(app):
            await self.bus.start()
            try:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://v", auth=SignedAs(app)
                ) as c:
                    self._app = app
                    yield c
            finally:
                await self.bus.stop()

    @staticmethod
    def asset(asset_id: str = BUCKET, account_id: str = "111111111111") -> AssetSummary:
        """An S3 bucket summary."""
        return AssetSummary(
            asset_id=asset_id,
            account_id=account_id,
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=asset_id.rsplit(":", 1)[-1],
            owner="team@example.com",
        )

    def evaluated(
        self, version: int, minute: int, asset: AssetSummary | None = None, **statuses: str
    ) -> AssetEvaluated:
        """An evaluation; ``statuses`` maps ``public``/``encryption`` to a result status."""
        keys = {"public": PUBLIC.policy_id, "encryption": ENCRYPTION.policy_id}
        results = [
            PolicyResult(policy=POLICIES[keys[k]], status=s, reason=f"{k} is {s}")  # type: ignore[arg-type]
            for k, s in statuses.items()
        ]
        return AssetEvaluated(
            asset=asset or self.asset(),
            asset_version=version,
            evaluated_at=T0 + timedelta(minutes=minute),
            results=results,
        )

    def deleted(self, version: int, minute: int, asset_id: str = BUCKET) -> AssetDeleted:
        """An asset deletion."""
        return AssetDeleted(
            asset=self.asset(asset_id), version=version, deleted_at=T0 + timedelta(minutes=minute)
        )

    def exception(
        self, kind: str, exception_id: str, minute: int, *, days: int = 30, policy_id: str = ""
    ) -> ExceptionChanged:
        """``kind`` is granted, revoked or expired; covers the bucket and the public policy."""
        return ExceptionChanged(
            event_type=f"pacbot.exception.{kind}",  # type: ignore[arg-type]
            exception_id=exception_id,
            kind="resource",
            asset_ids=[BUCKET],
            policy_ids=[policy_id or PUBLIC.policy_id],
            reason="accepted risk",
            requester="alice",
            expires_at=T0 + timedelta(days=days),
            occurred_at=T0 + timedelta(minutes=minute),
        )

    async def publish(self, *events: EventData) -> None:
        """Publish each event on its topic, then wait until it is applied and relayed."""
        for event in events:
            if isinstance(event, ExceptionChanged):
                topic, key = EXCEPTIONS_TOPIC, event.exception_id
            elif isinstance(event, AssetEvaluated):
                topic, key = EVALUATIONS_TOPIC, event.asset.asset_id
            elif isinstance(event, PoliciesChanged):
                topic, key = POLICIES_TOPIC, event.policy_ids[0]
            elif isinstance(event, FixChanged):
                topic, key = AUTOFIX_TOPIC, event.plan_id
            else:
                topic, key = ASSETS_TOPIC, event.asset.asset_id  # type: ignore[union-attr]
            await self.bus.publish(topic, Envelope.wrap(event, source="test", subject=key), key=key)
            await self.settle()

    async def settle(self) -> None:
        """Wait until consumers caught up and the outbox is empty."""
        runtime = self._app.state.runtime
        async with asyncio.timeout(10):
            while True:
                await self.bus.drain()
                async with runtime.db.session() as session:
                    pending = await session.scalar(
                        select(func.count()).select_from(runtime.outbox.table)
                    )
                if not pending and not self.bus.lag():
                    return
                await asyncio.sleep(0.01)

    def changes(self) -> list[ViolationChanged]:
        """Every violation event emitted so far, in order (one key → one partition)."""
        return [
            Envelope.decode(m.value).payload_as(ViolationChanged)
            for m in self.bus.messages(VIOLATIONS_TOPIC)
        ]

    def transitions(self) -> list[tuple[str, str]]:
        """(event type suffix, status) of every violation event so far."""
        return [(c.event_type.rsplit(".", 1)[-1], c.status) for c in self.changes()]


@pytest.fixture
def kit(tmp_path: Path) -> ViolationsKit:
    return ViolationsKit(tmp_path)


@pytest.fixture
async def client(kit: ViolationsKit) -> AsyncIterator[httpx.AsyncClient]:
    async with kit.running(kit.app()) as c:
        yield c
