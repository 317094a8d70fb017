"""Composition root shared by the services: adapters built from settings, or injected."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.auth import InternalAuth, InternalTokens
from pacbot.common.aws import AwsSessionFactory
from pacbot.common.bus import DEFAULT_MAX_BATCH, EventBus, KafkaBus, MemoryBus
from pacbot.common.db import Database
from pacbot.common.events import Envelope
from pacbot.common.migrations import upgrade
from pacbot.common.outbox import Inbox, Outbox, OutboxRelay, inbox_table, outbox_table
from pacbot.common.peers import peer_transport
from pacbot.common.settings import ServiceSettings

DEFAULT_PORTS = {
    "gateway": 8100,
    "inventory": 8101,
    "assessor": 8102,
    "violations": 8103,
    "exceptions": 8104,
    "autofix": 8105,
}


@dataclass
class SharedInfra:
    """What embedded mode shares between the six apps of one process."""

    bus: EventBus | None = None
    aws: AwsSessionFactory | None = None
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)


def messaging_tables(metadata: MetaData) -> tuple[Outbox, Inbox]:
    """Add the outbox and inbox tables to a service's metadata (call once, at model import)."""
    return Outbox(outbox_table(metadata), source="unset"), Inbox(inbox_table(metadata))


class Runtime:
    """The adapters of one service, opened and closed by its app's lifespan."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        outbox: Outbox,
        inbox: Inbox,
        migrations: Path,
        shared: SharedInfra | None = None,
    ) -> None:
        shared = shared or SharedInfra()
        self.settings = settings
        self.name = settings.service_name
        self.migrations = migrations
        self.db = Database.for_service(settings)
        self.owns_bus = shared.bus is None
        self.bus: EventBus = shared.bus or self._make_bus()
        self.outbox = Outbox(outbox.table, source=self.name)
        self.inbox = inbox
        self.relay = OutboxRelay(
            self.db, self.outbox, self.bus, poll_seconds=settings.outbox_poll_seconds
        )
        self.aws = shared.aws or AwsSessionFactory(
            endpoint_url=settings.aws_endpoint_url, region=settings.aws_region
        )
        self.tokens = InternalTokens(
            settings.resolved_internal_secret(), ttl_seconds=settings.internal_token_ttl_seconds
        )
        self._transports = shared.transports
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._checks: dict[str, Callable[[], Awaitable[bool]]] = {}

    def add_readiness_check(self, name: str, probe: Callable[[], Awaitable[bool]]) -> None:
        """Make ``/readyz`` also depend on ``probe`` (e.g. the search cluster)."""
        self._checks[name] = probe

    def _make_bus(self) -> EventBus:
        if self.settings.resolved_bus() == "kafka":
            bootstrap = self.settings.resolved_kafka()
            if not bootstrap:
                raise ValueError(f"{self.name}: bus=kafka needs kafka_bootstrap_servers")
            return KafkaBus(
                bootstrap,
                client_id=self.name,
                partitions=self.settings.kafka_partitions,
                security=self.settings.resolved_kafka_security(),
            )
        return MemoryBus(partitions=self.settings.kafka_partitions)

    def subscribe(
        self,
        topics: Sequence[str],
        handler: Callable[[AsyncSession, Envelope], Awaitable[None]],
        *,
        group: str | None = None,
    ) -> None:
        """Consume ``topics``: each event is applied once, in one transaction with its inbox row."""
        group = group or self.name

        async def apply(envelope: Envelope) -> None:
            async with self.db.session() as session:
                if await self.inbox.first_time(session, group, envelope.id):
                    await handler(session, envelope)

        self.bus.subscribe(topics, group, apply, max_attempts=self.settings.consumer_max_attempts)

    def subscribe_batch(
        self,
        topics: Sequence[str],
        handler: Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]],
        *,
        group: str | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        """Consume ``topics`` a partition's fetch at a time, each fetch in ONE transaction.

        The handler gets the events not applied before (in partition order, each id once) and
        stages its changes and outbox rows in ``session``; their inbox rows commit with them.
        If the transaction fails, the bus applies the events one by one, so a poison event is
        dead-lettered alone.
        """
        group = group or self.name

        async def apply(envelopes: Sequence[Envelope]) -> None:
            async with self.db.session() as session:
                new = await self.inbox.first_times(session, group, [e.id for e in envelopes])
                fresh = []
                for envelope in envelopes:
                    if envelope.id in new:
                        new.discard(envelope.id)
                        fresh.append(envelope)
                if fresh:
                    await handler(session, fresh)

        self.bus.subscribe_batch(
            topics,
            group,
            apply,
            max_attempts=self.settings.consumer_max_attempts,
            max_batch=max_batch,
        )

    def service(self, name: str) -> httpx.AsyncClient:
        """An HTTP client for another service: in-process when embedded, else its base URL."""
        if name not in self._clients:
            transport = self._transports.get(name)
            base = (
                self.settings.service_urls.get(name)
                or self.settings.infra.service_urls.get(name)
                or f"http://127.0.0.1:{DEFAULT_PORTS[name]}"
            )
            self._clients[name] = httpx.AsyncClient(
                base_url=f"http://{name}" if transport else base,
                transport=transport or peer_transport(),
                timeout=self.settings.peer_timeout_seconds,
                auth=InternalAuth(self.tokens, caller=self.name, audience=name),
            )
        return self._clients[name]

    async def open(self) -> None:
        """Migrate the database (when configured)."""
        if self.settings.run_migrations:
            await upgrade(self.db, self.migrations)

    async def start_messaging(self) -> None:
        """Start the bus (if this service owns it) and the outbox relay; after subscriptions.

        What startup built (modules, loaded policies, schemas) lives as long as the process:
        ``gc.freeze`` moves it out of the collector's generations, so the full collections the
        event stream triggers no longer walk it again and again.
        """
        gc.freeze()
        if self.owns_bus:
            await self.bus.start()
        self.relay.start()

    async def close(self) -> None:
        """Stop everything in reverse order."""
        await self.relay.stop()
        if self.owns_bus:
            await self.bus.stop()
        for client in self._clients.values():
            await client.aclose()
        await self.db.dispose()

    async def ready(self) -> dict[str, bool]:
        """Which dependencies answer right now."""
        checks = {"database": await self.db.ping(), "bus": await self.bus.ping()}
        for name, probe in self._checks.items():
            checks[name] = await probe()
        return checks
