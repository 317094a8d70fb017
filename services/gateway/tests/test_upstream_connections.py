"""After a peer answers 500, the gateway's next call to it still works: the peer's failure is a
normal response (the connection stays open), not a dropped connection in the gateway's pool.

Both sides are real: the peer is a service app served by uvicorn on 127.0.0.1, the gateway
reaches it over TCP with its pooled client.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI

from pacbot.common.testing import service_app
from services.gateway.tests.conftest import key_for, running_gateway

calls = {"n": 0}


def failing_peer(tmp_path: Path) -> FastAPI:
    """An 'inventory' whose /resources raises on every other call."""
    router = APIRouter()

    @router.get("/resources")
    async def resources() -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] % 2:
            raise RuntimeError("boom")
        return {"calls": calls["n"]}

    return service_app("inventory", tmp_path, router)


class SlowErrorLog(logging.Handler):
    """Writing a traceback takes time in production (JSON logs, big stacks). uvicorn closes a
    connection only after logging an escaped error, so a slow log opens the window in which the
    gateway reuses the connection, deterministically."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            time.sleep(0.3)


@pytest.fixture
def peer_url(tmp_path: Path) -> Iterator[str]:
    handler = SlowErrorLog()
    logging.getLogger("uvicorn.error").addHandler(handler)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        failing_peer(tmp_path), host="127.0.0.1", port=port, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    logging.getLogger("uvicorn.error").removeHandler(handler)


@pytest.fixture
async def gateway(tmp_path: Path, peer_url: str) -> AsyncIterator[FastAPI]:
    async with running_gateway(tmp_path, service_urls={"inventory": peer_url}) as app:
        yield app


async def test_the_call_after_an_upstream_500_is_answered(gateway: FastAPI) -> None:
    viewer = await key_for(gateway, "viewer")
    transport = httpx.ASGITransport(gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=viewer) as gw:
        statuses = []
        for _ in range(6):
            statuses.append((await gw.get("/api/v1/resources")).status_code)
    assert statuses == [502, 200, 502, 200, 502, 200]
