"""Composition root of the assessor: loads the packs, serves the registry, consumes assets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from pacbot.assessor.evaluations.consumers import asset_batch_handler
from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.frameworks.router import router as frameworks_router
from pacbot.assessor.models import INBOX, OUTBOX
from pacbot.assessor.policies.reconcile import reconcile_registry
from pacbot.assessor.policies.registry import replay_until_accepted
from pacbot.assessor.policies.repository import register_policies
from pacbot.assessor.policies.router import router as policies_router
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.events import ASSETS_TOPIC, utcnow
from pacbot.common.frameworks import shipped_catalogue
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings_catalog import from_environment
from pacbot.common.web import build_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("pacbot.assessor")


def create_app(
    settings: AssessorSettings | None = None, shared: SharedInfra | None = None
) -> FastAPI:
    """The assessor app; policies load here, so a bad file shows up in ``/policies/errors``."""
    settings = settings or from_environment(AssessorSettings)  # uvicorn --factory: checked
    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS, shared=shared)
    frameworks = shipped_catalogue()
    catalog = PolicyCatalog(
        load_pack(settings.policy_paths, frameworks), settings.autofix_grace_override_seconds
    )

    @asynccontextmanager
    async def setup(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        for error in catalog.errors:
            log.error("policy rejected: %s", error)
        log.info("policies loaded", extra={"count": len(catalog.policies)})
        async with runtime.db.session() as session:
            await register_policies(session, catalog.policies, utcnow())
            reconciled = await reconcile_registry(session, catalog, runtime.outbox, utcnow())
        runtime.subscribe_batch([ASSETS_TOPIC], asset_batch_handler(catalog, runtime.outbox))
        # New or edited policies judge the assets inventory already has, once it accepts.
        types = reconciled.replay_types if settings.replay_on_deploy else []
        replay = asyncio.create_task(replay_until_accepted(runtime, types))
        app.state.startup_replay = replay
        try:
            yield
        finally:
            replay.cancel()

    app = build_service_app(
        title="PacBot assessor",
        runtime=runtime,
        routers=[policies_router, frameworks_router],
        setup=setup,
    )
    app.state.catalog = catalog
    app.state.frameworks = frameworks
    return app
