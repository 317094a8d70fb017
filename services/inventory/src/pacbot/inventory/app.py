"""Composition root of the inventory service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.search import AssetSearch, DatabaseAssets, OpenSearchAssets
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app
from pacbot.inventory.accounts.router import router as accounts_router
from pacbot.inventory.assets.router import router as assets_router
from pacbot.inventory.changes.queue import build_change_queue
from pacbot.inventory.changes.router import router as changes_router
from pacbot.inventory.connectors import CONNECTORS, ConnectorRegistry
from pacbot.inventory.discovery import Discovery, SweepPlanner, SweepScheduler
from pacbot.inventory.discovery.sweep import SweepLimits
from pacbot.inventory.findings.router import router as findings_router
from pacbot.inventory.groups.router import router as groups_router
from pacbot.inventory.history.router import router as history_router
from pacbot.inventory.models import INBOX, OUTBOX, SEARCH_TABLE
from pacbot.inventory.resources.router import router as resources_router
from pacbot.inventory.scans.router import router as scans_router
from pacbot.inventory.settings import InventorySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_search(settings: InventorySettings, runtime: Runtime) -> AssetSearch:
    """OpenSearch when configured, else search answered from inventory's own database."""
    if settings.resolved_search() == "opensearch":
        url = settings.resolved_opensearch()
        if not url:
            raise ValueError("inventory: search=opensearch needs opensearch_url")
        infra = settings.infra
        return OpenSearchAssets(
            url,
            alias=settings.search_alias,
            refresh=settings.search_refresh,
            username=infra.opensearch_username,
            password=infra.opensearch_password,
            ca_file=infra.opensearch_ca_file,
            verify_certs=infra.opensearch_verify_certs,
        )
    return DatabaseAssets(runtime.db, SEARCH_TABLE)


def create_app(
    settings: InventorySettings | None = None,
    shared: SharedInfra | None = None,
    *,
    registry: ConnectorRegistry | None = None,
) -> FastAPI:
    """The inventory app: accounts, assets, scans, and the sweep scheduler in its lifespan."""
    settings = settings or from_environment(InventorySettings)  # uvicorn --factory: checked
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    search = build_search(settings, runtime)
    registry = registry or CONNECTORS
    limits = SweepLimits(
        settings.max_parallel_sweeps, settings.account_concurrency, settings.service_concurrency
    )
    discovery = Discovery(runtime, search, registry, settings.sweep_concurrency, limits)
    planner = SweepPlanner(runtime, registry, settings)
    runtime.add_readiness_check("search", search.ping)
    change_queue = build_change_queue(settings, runtime, planner, discovery)  # not in /readyz

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        await search.start()
        scheduler = None
        if settings.scan_interval_seconds > 0:
            scheduler = SweepScheduler(
                runtime,
                planner,
                discovery,
                settings.scan_interval_seconds,
                per_type=settings.sweep_intervals,
                tick=min(
                    settings.scheduler_tick_seconds,
                    settings.scan_interval_seconds,
                    *(i for i in settings.sweep_intervals.values() if i > 0),
                ),
            )
            scheduler.start()
            app.state.scheduler = scheduler
        if change_queue is not None:
            change_queue.start()
        try:
            yield
        finally:
            if change_queue is not None:
                await change_queue.stop()
            if scheduler is not None:
                await scheduler.stop()
            await search.stop()

    app = build_service_app(
        title="PacBot Inventory",
        runtime=runtime,
        routers=[
            accounts_router,
            history_router,
            findings_router,
            assets_router,
            groups_router,
            scans_router,
            changes_router,
            resources_router,
        ],
        setup=setup,
    )
    app.state.search = search
    app.state.discovery = discovery
    app.state.planner = planner
    app.state.change_queue = change_queue
    return app
