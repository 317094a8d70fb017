"""Gateway test kit: a started gateway over given peers, and keys issued straight into its
database, as an operator would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.gateway.app import create_app
from pacbot.gateway.auth.keys import KeySpec, issue_direct
from pacbot.gateway.settings import GatewaySettings


@asynccontextmanager
async def running_gateway(
    folder: Path, peers: Mapping[str, httpx.AsyncBaseTransport] | None = None, **settings: Any
) -> AsyncIterator[FastAPI]:
    """A started gateway on a SQLite file in ``folder``; ``peers`` answer in-process."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{folder}/gateway.db",
        "bus": "memory",
        "log_json": False,
        **settings,
    }
    shared = SharedInfra(bus=MemoryBus(), transports=dict(peers or {}))
    app = create_app(GatewaySettings(**values), shared=shared)
    async with app.router.lifespan_context(app):
        yield app


async def key_for(
    app: FastAPI,
    *roles: str,
    subject: str | None = None,
    groups: tuple[str, ...] = (),
    accounts: tuple[str, ...] | None = None,
    asset_groups: tuple[str, ...] | None = None,
) -> dict[str, str]:
    """``Authorization`` headers for a fresh key with ``roles`` (and scope)."""
    spec = KeySpec.of(
        roles, subject=subject, groups=groups, accounts=accounts, asset_groups=asset_groups
    )
    token = await issue_direct(app.state.runtime.db, spec)
    return {"Authorization": f"Bearer {token}"}
