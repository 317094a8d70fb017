"""Inventory test fixtures: moto over real HTTP, and the app on SQLite and the memory bus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.common.bus import MemoryBus
from pacbot.common.events import ASSETS_TOPIC, Envelope
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.testing import SignedAs, eventually
from pacbot.inventory.app import create_app
from pacbot.inventory.connectors import (
    CONNECTORS,
    Connector,
    ConnectorRegistry,
    DiscoveredAsset,
    Scope,
)
from pacbot.inventory.models import OUTBOX
from pacbot.inventory.settings import InventorySettings


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server for the run, on a free port; tests reset its state."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A freshly reset moto, with credentials and region that reach it and nothing else."""
    httpx.post(f"{moto_server}/moto-api/reset").raise_for_status()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return moto_server


@pytest.fixture
def s3(moto_url: str) -> Any:
    """A boto3 S3 client of the caller's own account, to shape the estate."""
    return boto3.client(
        "s3",
        endpoint_url=moto_url,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


class Inventory:
    """A running inventory app, its HTTP client and the bus it publishes to."""

    def __init__(self, app: Any, client: httpx.AsyncClient, bus: MemoryBus) -> None:
        self.app = app
        self.client = client
        self.bus = bus

    @property
    def runtime(self) -> Runtime:
        """The app's runtime."""
        runtime: Runtime = self.app.state.runtime
        return runtime

    async def scan(self, **body: Any) -> list[dict[str, Any]]:
        """POST /scans and return the sweeps."""
        response = await self.client.post("/scans", json=body)
        assert response.status_code == 200, response.text
        sweeps: list[dict[str, Any]] = response.json()["sweeps"]
        return sweeps

    async def events(self) -> list[Envelope]:
        """Every asset event published so far, once the outbox has drained to the bus."""

        async def outbox_empty() -> bool:
            async with self.runtime.db.session() as session:
                return await session.scalar(select(func.count()).select_from(OUTBOX.table)) == 0

        await eventually(outbox_empty, timeout=10, what="the outbox to drain")
        await self.bus.drain()
        return [Envelope.decode(m.value) for m in self.bus.messages(ASSETS_TOPIC)]


StartInventory = Callable[..., AbstractAsyncContextManager[Inventory]]


def registry_of(*connectors: type[Connector]) -> ConnectorRegistry:
    """A registry with just these connector classes, registered under their own metadata
    (left as declared: the global registry's meta-tests read the same classes)."""
    registry = ConnectorRegistry()
    for cls in connectors:
        registry.include(cls)
    return registry


def s3_only() -> ConnectorRegistry:
    """A registry with just the S3 connector, so app tests reason about one resource type."""
    from pacbot.inventory.connectors.s3 import S3BucketConnector

    return registry_of(S3BucketConnector)


@pytest.fixture
def start_inventory(moto_url: str, tmp_path: Path) -> StartInventory:
    """Start an inventory app (same database and bus on every start of one test)."""
    bus = MemoryBus()

    @asynccontextmanager
    async def start(
        registry: ConnectorRegistry | None = None, **overrides: Any
    ) -> AsyncIterator[Inventory]:
        overrides.setdefault("regions", ["us-east-1"])
        settings = InventorySettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/inventory.db",
            bus="memory",
            search="database",
            aws_endpoint_url=moto_url,
            log_json=False,
            outbox_poll_seconds=0.05,
            **overrides,
        )
        app = create_app(settings, SharedInfra(bus=bus), registry=registry or s3_only())
        transport = httpx.ASGITransport(app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=transport, base_url="http://inventory", auth=SignedAs(app)
            ) as client,
        ):
            yield Inventory(app, client, bus)

    return start


@pytest.fixture
async def inventory(start_inventory: StartInventory) -> AsyncIterator[Inventory]:
    """One running inventory app with the registered connectors."""
    async with start_inventory() as running:
        yield running


MOTO_ACCOUNT = "123456789012"
Discover = Callable[..., dict[str, DiscoveredAsset]]


@pytest.fixture
def aws(moto_url: str) -> Callable[..., Any]:
    """``aws("ec2", "eu-west-1")``: a boto3 client on the moto server, to shape the estate."""

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            endpoint_url=moto_url,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}),
        )

    return client


@pytest.fixture
def discover(moto_url: str) -> Discover:
    """Run one connector's list + describe directly; returns ``{asset_id: DiscoveredAsset}``."""
    factory = AwsSessionFactory(endpoint_url=moto_url)

    def run(resource_type: str, region: str = "us-east-1") -> dict[str, DiscoveredAsset]:
        connector = CONNECTORS.get(resource_type)()
        sweep_region = "global" if connector.meta.scope == "global" else region
        scope = Scope(factory, AccountAccess(MOTO_ACCOUNT), sweep_region, "us-east-1")
        found = [connector.describe(scope, item) for item in connector.list_resources(scope)]
        return {asset.asset_id: asset for asset in found if asset is not None}

    return run
