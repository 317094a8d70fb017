"""Fixtures: the exceptions app on SQLite and a memory bus, its peers the real assessor and
inventory apps served in-process (started once per module: they load the whole policy pack)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from pacbot.assessor.app import create_app as assessor_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import SignedAs
from pacbot.exceptions.app import create_app
from pacbot.exceptions.settings import ExceptionsSettings
from pacbot.inventory.app import create_app as inventory_app
from pacbot.inventory.settings import InventorySettings

Transports = dict[str, httpx.AsyncBaseTransport]
AppFactory = Callable[..., Any]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def peers(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Transports]:
    """The real assessor (shipped pack) and inventory, reachable in-process."""
    folder = tmp_path_factory.mktemp("peers")
    common: dict[str, Any] = {"bus": "memory", "log_json": False, "log_level": "WARNING"}
    apps = {
        "assessor": assessor_app(
            AssessorSettings(database_url=f"sqlite+aiosqlite:///{folder}/a.db", **common),
            shared=SharedInfra(bus=MemoryBus()),
        ),
        "inventory": inventory_app(
            InventorySettings(
                database_url=f"sqlite+aiosqlite:///{folder}/i.db", search="database", **common
            ),
            shared=SharedInfra(bus=MemoryBus()),
        ),
    }
    async with AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield {name: httpx.ASGITransport(app) for name, app in apps.items()}


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


def settings_for(tmp_path: Path, **overrides: Any) -> ExceptionsSettings:
    """Exceptions settings on a SQLite file; the expiry loop is driven by the tests."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/exceptions.db",
        "bus": "memory",
        "max_days": 30,
        "expiry_poll_seconds": 3600,
        "outbox_poll_seconds": 0.02,
        "log_json": False,
    }
    values.update(overrides)
    return ExceptionsSettings(**values)


@asynccontextmanager
async def running(
    settings: ExceptionsSettings, bus: MemoryBus, transports: Transports
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The exceptions app's lifespan and a client talking to it in-process."""
    app = create_app(settings, shared=SharedInfra(bus=bus, transports=transports))
    async with app.router.lifespan_context(app):
        await bus.start()
        try:
            transport = httpx.ASGITransport(app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://exceptions", auth=SignedAs(app)
            ) as c:
                yield app, c
        finally:
            await bus.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def service(
    tmp_path: Path, bus: MemoryBus, peers: Transports
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(settings_for(tmp_path), bus, peers) as started:
        yield started


@pytest.fixture
def app(service: tuple[FastAPI, httpx.AsyncClient]) -> FastAPI:
    return service[0]


@pytest.fixture
def client(service: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return service[1]
