"""Composition root of the violations service: consumers plus the violations/compliance API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from pacbot.common.events import (
    ASSETS_TOPIC,
    AUTOFIX_TOPIC,
    EVALUATIONS_TOPIC,
    EXCEPTIONS_TOPIC,
    POLICIES_TOPIC,
)
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app
from pacbot.violations.aggregates.cache import FIGURES_CACHE, FiguresCache
from pacbot.violations.aggregates.maintenance import tallying
from pacbot.violations.aggregates.rebuild import ensure_tallies, sync_groups
from pacbot.violations.compliance.breakdown import router as breakdown_router
from pacbot.violations.compliance.frameworks import FrameworkMappings
from pacbot.violations.compliance.frameworks import router as frameworks_router
from pacbot.violations.compliance.group_cells import GroupCells
from pacbot.violations.compliance.results_router import router as results_router
from pacbot.violations.compliance.router import router as compliance_router
from pacbot.violations.compliance.schemas import Weights
from pacbot.violations.compliance.snapshots import SnapshotLoop
from pacbot.violations.lifecycle.consumers import batch_handler
from pacbot.violations.lifecycle.router import router as violations_router
from pacbot.violations.models import INBOX, OUTBOX
from pacbot.violations.reports.router import router as exports_router
from pacbot.violations.settings import ViolationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: ViolationsSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The violations app: consumes evaluations, deletions and exceptions; serves the results."""
    settings = settings or from_environment(ViolationsSettings)  # uvicorn --factory: checked
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    # results and violations are counted into the tallies in the transaction that changes them
    tallying(runtime.db.sessions, settings.tally_tag_keys, **{FIGURES_CACHE: FiguresCache()})

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        await ensure_tallies(runtime.db, settings.tally_tag_keys)
        runtime.subscribe_batch(  # one transaction per partition slice (issue 13)
            [EVALUATIONS_TOPIC, ASSETS_TOPIC, EXCEPTIONS_TOPIC, POLICIES_TOPIC, AUTOFIX_TOPIC],
            batch_handler(runtime.outbox),
        )
        snapshots = None
        if settings.snapshot_interval_seconds > 0:
            weights = Weights(
                severity=settings.severity_weights, category=settings.category_weights
            )
            snapshots = SnapshotLoop(
                runtime, weights, settings.snapshot_scopes, settings.snapshot_interval_seconds
            )
            snapshots.start()
        app.state.snapshots = snapshots
        groups = GroupCells(runtime, settings.tally_groups, settings.tally_groups_sync_seconds)
        if settings.tally_groups:
            groups.start()
        else:  # cells of groups counted before are dropped (no group is kept in step)
            await sync_groups(runtime.db, {})
        app.state.group_cells = groups
        try:
            yield
        finally:
            await groups.stop()
            if snapshots is not None:
                await snapshots.stop()

    app = build_service_app(
        title="PacBot violations",
        runtime=runtime,
        # the export routes come first so /violations/export.csv is not read as a violation id
        routers=[
            exports_router,
            violations_router,
            compliance_router,
            breakdown_router,
            results_router,
            frameworks_router,
        ],
        setup=setup,
    )
    app.state.framework_mappings = FrameworkMappings()
    return app
