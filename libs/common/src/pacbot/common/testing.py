"""Test helpers every package may use: polling waits, sample events, signed test clients, and
a real HTTP server for what only a socket shows (aborted transfers, a blocked event loop)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from pacbot.common.auth import InternalTokens, Principal
from pacbot.common.events import AssetDeleted, AssetSummary, Envelope, utcnow

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "",
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with the last value at ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}; last={last!r}")


async def start_group_at_end(
    bootstrap: str, group: str, partitions: Sequence[TopicPartition]
) -> None:
    """Commit ``group``'s offsets at the end of ``partitions``: a consumer group that starts
    caught up, skipping what other runs and tests left on a shared broker."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(partitions))
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


def sample_event(asset_id: str = "arn:aws:s3:::sample", version: int = 1) -> Envelope:
    """A small valid event, for bus tests."""
    asset = AssetSummary(
        asset_id=asset_id,
        account_id="123456789012",
        region="us-east-1",
        resource_type="aws.s3.bucket",
        name=asset_id.rsplit(":", 1)[-1],
    )
    return Envelope.wrap(
        AssetDeleted(asset=asset, version=version, deleted_at=utcnow()),
        source="test",
        subject=asset_id,
    )


TEST_USER_HEADER = "X-Test-User"
TEST_ROLES_HEADER = "X-Test-Roles"
TEST_GROUPS_HEADER = "X-Test-Groups"


def as_user(user: str, *roles: str, groups: Sequence[str] = ()) -> dict[str, str]:
    """Headers that make a ``SignedAs`` test client call as ``user`` with ``roles``."""
    headers = {TEST_USER_HEADER: user, TEST_ROLES_HEADER: ",".join(roles)}
    if groups:
        headers[TEST_GROUPS_HEADER] = ",".join(groups)
    return headers


class SignedAs(httpx.Auth):
    """Test auth for calling a service directly: signs each call as the gateway would.

    A request carrying ``as_user(...)`` headers is signed for that user (the headers are removed
    before sending); any other request is signed as ``default``.
    """

    def __init__(self, app: FastAPI, default: Principal | None = None) -> None:
        runtime = app.state.runtime
        self._tokens: InternalTokens = runtime.tokens
        self._audience: str = runtime.name
        self._default = default or Principal("test-admin", frozenset({"admin"}), credential="test")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        principal = self._default
        user = request.headers.pop(TEST_USER_HEADER, None)
        roles = request.headers.pop(TEST_ROLES_HEADER, "")
        groups = request.headers.pop(TEST_GROUPS_HEADER, "")
        if user is not None:
            principal = Principal(
                subject=user,
                roles=frozenset(r.strip().lower() for r in roles.split(",") if r.strip()),
                groups=frozenset(g.strip() for g in groups.split(",") if g.strip()),
                credential="test",
            )
        if "authorization" not in request.headers:
            token = self._tokens.mint(principal, self._audience)
            request.headers["Authorization"] = f"Bearer {token}"
        yield request


def signed_client(app: FastAPI, base_url: str | None = None) -> httpx.AsyncClient:
    """An in-process client to ``app`` whose calls carry a valid internal token."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app),
        base_url=base_url or f"http://{app.state.runtime.name}",
        auth=SignedAs(app),
    )


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """``app`` (already started) behind uvicorn on a free loopback port, on this event loop;
    yields its base URL. Stopped, and its socket closed, on exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))

    async def up() -> bool:
        if serving.done():
            serving.result()  # raises what stopped it
        return server.started

    try:
        await eventually(up, timeout=10, interval=0.01, what="uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()
