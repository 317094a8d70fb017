"""Test helpers every package may use: polling waits, sample events, signed test clients, a
real HTTP server for what only a socket shows (aborted transfers, a blocked event loop), and the
walk every list's cursor paging is checked with."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData

from pacbot.common.auth import InternalTokens, Principal
from pacbot.common.events import AssetDeleted, AssetSummary, Envelope, utcnow
from pacbot.common.peers import SERVER_KEEP_ALIVE_SECONDS
from pacbot.common.runtime import Runtime, messaging_tables
from pacbot.common.settings import ServiceSettings
from pacbot.common.web import build_service_app

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
    config = uvicorn.Config(
        app,
        log_config=None,
        lifespan="off",
        access_log=False,
        timeout_keep_alive=SERVER_KEEP_ALIVE_SECONDS,  # as the services' own processes
    )
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


QueryParams = Sequence[tuple[str, str]] | Mapping[str, Any]
NOT_CURSORS = ("garbage!", "e30", "W10", "%%%", base64.urlsafe_b64encode(b"[" * 3000).decode())
"""Texts no list ever returned as a cursor: not base64, ``{}``, ``[]``, nested past recursion."""


def _pairs(params: QueryParams) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        return [(k, str(v)) for k, v in params.items()]
    return list(params)


def forge_cursor(genuine: str, position: Any) -> str:
    """A cursor that passes the query check of ``genuine`` but carries ``position`` instead."""
    raw = json.loads(base64.urlsafe_b64decode(genuine + "=" * (-len(genuine) % 4)))
    lie = json.dumps({**raw, "p": position}).encode()
    return base64.urlsafe_b64encode(lie).decode().rstrip("=")


async def walk_pages(
    client: httpx.AsyncClient, path: str, params: QueryParams = (), *, limit: int = 2
) -> list[dict[str, Any]]:
    """Every page of a list, following ``next_cursor`` from the first page to the last."""
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(pages) < 1000:
        query = [*_pairs(params), ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        response = await client.get(path, params=tuple(query))
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        assert "next_cursor" in page, f"{path} answered without next_cursor: {sorted(page)}"
        assert len(page["items"]) <= limit, f"{path} sent more than limit={limit} items"
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError(f"{path}: still no last page after {len(pages)} pages")


async def refused_cursor(
    client: httpx.AsyncClient, path: str, params: QueryParams, why: str = ""
) -> None:
    """``path`` with ``params`` is a 400 problem naming the cursor (``why`` in its detail)."""
    response = await client.get(path, params=tuple(_pairs(params)))
    assert response.status_code == 400, f"{path} {params}: {response.status_code} {response.text}"
    problem = response.json()
    assert problem["field"] == "cursor", problem
    assert why in problem["detail"], problem


async def check_cursor_paging(
    client: httpx.AsyncClient,
    path: str,
    *,
    expected: Sequence[Any],
    params: QueryParams = (),
    changed: QueryParams | None = None,
    elsewhere: str | None = None,
    key: str | Callable[[dict[str, Any]], Any] = "id",
    limit: int = 2,
) -> None:
    """The paging contract on one list, over more rows than one page holds.

    Walking ``next_cursor`` yields ``expected`` (by ``key``) once each, in order, and ends on a
    null cursor; the deprecated ``offset`` lands where the cursor does. The first page's cursor
    is a 400 with the ``changed`` query or on the ``elsewhere`` path (another list's query);
    so are a cursor with an offset, garbage and a forged position.
    """
    assert len(expected) > limit, "walk more rows than one page holds"
    of = (lambda item: item[key]) if isinstance(key, str) else key
    pages = await walk_pages(client, path, params, limit=limit)
    assert [of(item) for page in pages for item in page["items"]] == list(expected)
    assert all(page["next_cursor"] for page in pages[:-1]), "only the last page ends the walk"
    first = pages[0]["next_cursor"]
    second = [*_pairs(params), ("limit", str(limit)), ("offset", str(limit))]
    by_offset = await client.get(path, params=tuple(second))
    assert by_offset.status_code == 200, by_offset.text
    assert by_offset.json()["items"] == pages[1]["items"], "offset and cursor disagree"
    if changed is not None:
        await refused_cursor(client, path, [*_pairs(changed), ("cursor", first)], "another query")
    if elsewhere is not None:
        await refused_cursor(client, elsewhere, [*_pairs(params), ("cursor", first)], "another")
    await refused_cursor(client, path, [*_pairs(params), ("cursor", first), ("offset", "0")])
    for lie in (*NOT_CURSORS, first[:-3], forge_cursor(first, "nope"), forge_cursor(first, [-1])):
        await refused_cursor(client, path, [*_pairs(params), ("cursor", lie)])


def service_app(name: str, folder: Path, router: APIRouter, **settings: Any) -> FastAPI:
    """A bare service (``name``) on a SQLite file in ``folder``, serving ``router``: the shared
    door, guards and error shapes around test routes, with no migrations or messaging of its own."""
    values: dict[str, Any] = {
        "service_name": name,
        "database_url": f"sqlite+aiosqlite:///{folder}/{name}.db",
        "bus": "memory",
        "run_migrations": False,
        "log_json": False,
        **settings,
    }
    outbox, inbox = messaging_tables(MetaData())
    runtime = Runtime(ServiceSettings(**values), outbox=outbox, inbox=inbox, migrations=folder)
    return build_service_app(title=name, runtime=runtime, routers=[router], configure_logs=False)


@contextmanager
def serving_http(handler: type[BaseHTTPRequestHandler]) -> Generator[str, None, None]:
    """A threaded HTTP server on 127.0.0.1 (a proxy, a fake peer); yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
