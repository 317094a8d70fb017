"""Run sweeps: discover in worker threads, reconcile in one transaction, then update search."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pacbot.common.aws import AccountAccess
from pacbot.common.events import utcnow
from pacbot.common.runtime import Runtime
from pacbot.common.search import AssetSearch
from pacbot.inventory.assets.service import current_documents
from pacbot.inventory.connectors import Connector, ConnectorRegistry, DiscoveredAsset, Scope
from pacbot.inventory.discovery import events
from pacbot.inventory.discovery.reconcile import Changes, SweepKey, reconcile
from pacbot.inventory.models import Asset, Sweep

log = logging.getLogger("pacbot.inventory.sweep")


@dataclass(frozen=True)
class SweepLimits:
    """How many sweeps may run at once: overall, per account, per (account, region, service)."""

    parallel: int = 8
    per_account: int = 4
    per_service: int = 2


@dataclass(frozen=True)
class SweepTarget:
    """One unit of discovery: an account (and how to reach it), a region, a resource type."""

    account: AccountAccess
    region: str
    resource_type: str
    regions: tuple[str, ...] = ()
    """The account's swept regions: account-wide (global) connectors look at each, and a
    regional one can leave what another of them holds to that region's sweep."""

    @property
    def key(self) -> SweepKey:
        """The (account, region, type) this sweep is responsible for."""
        return SweepKey(self.account.account_id, self.region, self.resource_type)


def describe_error(exc: BaseException) -> str:
    """The AWS error code and message, or the exception's type and text."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'ClientError')}: {error.get('Message', str(exc))}"
    return f"{type(exc).__name__}: {exc}"


class Discovery:
    """Sweeps (account, region, type) targets; one sweep per key at a time in this process."""

    def __init__(
        self,
        runtime: Runtime,
        search: AssetSearch,
        registry: ConnectorRegistry,
        concurrency: int,
        limits: SweepLimits | None = None,
        catch_up_seconds: float = 5,
    ) -> None:
        self.runtime = runtime
        self.search = search
        # A failed index update is not retried piecemeal: once search answers again the index
        # is rebuilt from the assets table, the source of truth (see AssetSearch.keep_up).
        search.keep_up(lambda: current_documents(runtime.db), catch_up_seconds)
        self.registry = registry
        self.concurrency = concurrency
        self.limits = limits or SweepLimits()
        self._locks: defaultdict[SweepKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._all = asyncio.Semaphore(self.limits.parallel)
        self._per_account: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.per_account)
        )
        self._per_service: defaultdict[tuple[str, str, str], asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.per_service)
        )

    def busy(self, target: SweepTarget) -> bool:
        """True while a sweep of the target's (account, region, type) runs."""
        return self._locks[target.key].locked()

    async def sweep_all(self, targets: list[SweepTarget]) -> list[Sweep]:
        """Sweep targets concurrently within the limits; a failed one never stops the rest."""
        return list(await asyncio.gather(*(self._bounded(t) for t in targets)))

    async def _bounded(self, target: SweepTarget) -> Sweep:
        service = self.registry.get(target.resource_type).meta.service
        account = target.account.account_id
        async with (
            self._per_account[account],
            self._per_service[(account, target.region, service)],
            self._all,
        ):
            return await self.sweep(target)

    async def sweep(self, target: SweepTarget) -> Sweep:
        """Discover, reconcile and record one target; a failure anywhere deletes nothing."""
        async with self._locks[target.key]:
            record = await self._start(target)
            try:
                found = await self._discover(target)
                changes = await self._apply(record, target, found)
            except Exception as exc:
                error = describe_error(exc)
                log.warning("sweep failed", extra={"sweep": record.id, "error": error})
                return await self._fail(record, error)
            await self._update_search(changes)
            return record

    async def rediscover(
        self,
        target: SweepTarget,
        wanted: Callable[[dict[str, Any]], bool],
        known: Callable[[Asset], bool],
    ) -> Changes:
        """Re-describe only the listed resources ``wanted`` accepts; delete only ``known`` ones.

        The listing is complete, so a ``known`` asset missing from it is really gone.
        """
        async with self._locks[target.key]:
            connector, scope = self._connector(target)
            listed = await asyncio.to_thread(connector.list_resources, scope)
            chosen = [r for r in listed if wanted(r)]
            described = [await asyncio.to_thread(connector.describe, scope, r) for r in chosen]
            found = [asset for asset in described if asset is not None]
            async with self.runtime.db.session() as session:
                changes = await reconcile(
                    session, self.runtime.outbox, target.key, found, utcnow(), only=known
                )
            await self._update_search(changes)
            return changes

    def _connector(self, target: SweepTarget) -> tuple[Connector, Scope]:
        connector: Connector = self.registry.get(target.resource_type)()
        default_region = self.runtime.settings.aws_region
        scope = Scope(
            self.runtime.aws, target.account, target.region, default_region, target.regions
        )
        return connector, scope

    async def _apply(
        self, record: Sweep, target: SweepTarget, found: list[DiscoveredAsset]
    ) -> Changes:
        """Assets, events and the sweep's outcome commit together, or not at all."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            changes = await reconcile(session, self.runtime.outbox, target.key, found, now)
            record.status, record.seen = "succeeded", len(found)
            record.upserted, record.deleted = len(changes.upserted), len(changes.deleted)
            record.finished_at = now
            await session.merge(record)
        return changes

    async def _discover(self, target: SweepTarget) -> list[DiscoveredAsset]:
        connector, scope = self._connector(target)
        listed = await asyncio.to_thread(connector.list_resources, scope)
        gate = asyncio.Semaphore(self.concurrency)

        async def describe(resource: dict[str, Any]) -> DiscoveredAsset | None:
            async with gate:
                return await asyncio.to_thread(connector.describe, scope, resource)

        described = await asyncio.gather(*(describe(r) for r in listed))
        return [asset for asset in described if asset is not None]

    async def _start(self, target: SweepTarget) -> Sweep:
        record = Sweep(
            id=str(uuid.uuid4()),
            account_id=target.account.account_id,
            region=target.region,
            resource_type=target.resource_type,
            status="running",
            seen=0,
            upserted=0,
            deleted=0,
            started_at=utcnow(),
        )
        async with self.runtime.db.session() as session:
            session.add(record)
        return record

    async def _fail(self, record: Sweep, error: str) -> Sweep:
        record.status, record.error, record.finished_at = "failed", error, utcnow()
        record.upserted = record.deleted = 0
        async with self.runtime.db.session() as session:
            await session.merge(record)
        return record

    async def _update_search(self, changes: Changes) -> None:
        """Best effort after the commit: the database and the events are the source of truth."""
        try:
            await self.search.apply(
                [events.search_fields(asset) for asset in changes.upserted],
                [asset.asset_id for asset in changes.deleted],
            )
        except Exception:
            log.exception("search index update failed; assets stay correct in the database")
