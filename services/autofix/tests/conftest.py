"""Fixtures for autofix: a moto server, a fake violations peer and an app on embedded adapters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer

from pacbot.autofix.app import WEBHOOK_TRANSPORT, create_app
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra

ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return boto3.client("s3", region_name="us-east-1", endpoint_url=moto_url)


@dataclass
class FakePeers:
    """The violations service as autofix sees it, plus a webhook that records what it got."""

    violation_status: dict[str, str] = field(default_factory=dict)
    violation_reads: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def violations(self, request: httpx.Request) -> httpx.Response:
        violation_id = request.url.path.rsplit("/", 1)[-1]
        self.violation_reads.append(violation_id)
        status = self.violation_status.get(violation_id)
        if status is None:
            return httpx.Response(404, json={"error": "NotFound", "detail": "no such violation"})
        return httpx.Response(200, json={"violation_id": violation_id, "status": status})

    def webhook(self, request: httpx.Request) -> httpx.Response:
        self.notifications.append(json.loads(request.content))
        return httpx.Response(204)


@pytest.fixture
def peers() -> FakePeers:
    return FakePeers()


AppFactory = Callable[..., Any]


@pytest.fixture
async def make_app(
    tmp_path: Path, moto_url: str, peers: FakePeers
) -> AsyncIterator[Callable[..., Any]]:
    """Start an autofix app (and its bus) with settings overrides; stops everything afterwards."""
    started: list[tuple[FastAPI, MemoryBus, Any]] = []

    async def start(**overrides: Any) -> tuple[FastAPI, MemoryBus]:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path}/autofix.db",
            "bus": "memory",
            "aws_endpoint_url": moto_url,
            "allowed_accounts": [ACCOUNT],
            "timer_poll_seconds": 0.05,
            "notify_webhook_url": "http://hooks.test/pacbot",
            "log_json": False,
        }
        values.update(overrides)
        bus = MemoryBus()
        transports = {
            "violations": httpx.MockTransport(peers.violations),
            WEBHOOK_TRANSPORT: httpx.MockTransport(peers.webhook),
        }
        app = create_app(
            AutofixSettings(**values), shared=SharedInfra(bus=bus, transports=transports)
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        await bus.start()
        started.append((app, bus, lifespan))
        return app, bus

    yield start
    for _app, bus, lifespan in reversed(started):
        await bus.stop()
        await lifespan.__aexit__(None, None, None)
