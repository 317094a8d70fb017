"""Fixtures for autofix: a moto server, fake peers and an app on embedded adapters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import httpx
import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer

from pacbot.autofix.app import NOTIFY_TRANSPORT, create_app
from pacbot.autofix.settings import AutofixSettings
from pacbot.common.bus import MemoryBus
from pacbot.common.notify import verify_signature
from pacbot.common.runtime import SharedInfra

ACCOUNT = "123456789012"
POLICY = "aws-s3-bucket-public-access"


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


WEBHOOK_SECRET = "autofix-test-webhook-secret-0123456789"


@dataclass
class FakePeers:
    """Violations, inventory and the assessor as autofix sees them, plus a webhook receiver.

    ``deliver`` says whether the webhook accepts notifications (a 503 makes them retry);
    ``received`` keeps every delivered body whose HMAC signature checked out.
    """

    violation_status: dict[str, str] = field(default_factory=dict)
    violation_reads: list[str] = field(default_factory=list)
    violations_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            ACCOUNT: {"account_id": ACCOUNT, "role_arn": None, "external_id": None, "enabled": True}
        }
    )
    type_totals: dict[tuple[str, str], int] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    deliver: bool = True

    def violations(self, request: httpx.Request) -> httpx.Response:
        violation_id = request.url.path.rsplit("/", 1)[-1]
        self.violation_reads.append(violation_id)
        status = self.violation_status.get(violation_id)
        if status is None:
            return httpx.Response(404, json={"error": "NotFound", "detail": "no such violation"})
        body = {**self.violations_by_id.get(violation_id, {}), "violation_id": violation_id}
        return httpx.Response(200, json={**body, "status": status})

    def assessor(self, request: httpx.Request) -> httpx.Response:
        policy_id = request.url.path.rsplit("/", 1)[-1]
        policy = self.policies.get(policy_id)
        if policy is None:
            return httpx.Response(404, json={"error": "NotFound", "detail": "no such policy"})
        return httpx.Response(200, json=policy)

    def inventory(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/accounts/") and path.endswith("/access"):
            account = self.accounts.get(path.split("/")[2])
            if account is None:
                return httpx.Response(404, json={"error": "NotFound", "detail": "no account"})
            return httpx.Response(200, json=account)
        if path == "/assets":
            key = (request.url.params["account_id"], request.url.params["resource_type"])
            return httpx.Response(200, json={"items": [], "total": self.type_totals.get(key, 1)})
        asset_id = unquote(path.removeprefix("/assets/"))
        asset = self.assets.get(asset_id, {"asset_id": asset_id, "tags": {}, "config": {}})
        return httpx.Response(200, json={"deleted": False, **asset})

    def webhook(self, request: httpx.Request) -> httpx.Response:
        if not self.deliver:
            return httpx.Response(503)
        assert verify_signature(
            WEBHOOK_SECRET,
            request.headers["X-PacBot-Timestamp"],
            request.content,
            request.headers["X-PacBot-Signature"],
        ), "the webhook's signature does not verify"
        self.received.append(json.loads(request.content))
        return httpx.Response(204)

    def told(self, kind: str) -> list[dict[str, Any]]:
        """Delivered notifications of one kind (notice, reminder, outcome, escalation...)."""
        return [n for n in self.received if n["kind"] == kind]


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
            "policies": {POLICY: {}},
            "allowed_accounts": [ACCOUNT],
            "timer_poll_seconds": 0.05,
            "notify_poll_seconds": 0.05,
            "notify_backoff_seconds": 0.05,
            "notify_max_attempts": 2,
            "webhook_url": "http://hooks.test/pacbot",
            "webhook_secret": WEBHOOK_SECRET,
            "log_json": False,
        }
        values.update(overrides)
        bus = MemoryBus()
        transports = {
            "violations": httpx.MockTransport(peers.violations),
            "inventory": httpx.MockTransport(peers.inventory),
            "assessor": httpx.MockTransport(peers.assessor),
            NOTIFY_TRANSPORT: httpx.MockTransport(peers.webhook),
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
