"""A failed export never looks like an empty or a complete one (served by a real uvicorn).

When the first query fails the answer is a 500 problem, not a 200 with no rows; when a later
batch fails the transfer is aborted, so the client sees an incomplete body, not a short file.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from pacbot.common.testing import SignedAs, eventually
from pacbot.violations.lifecycle import repository
from services.violations.tests.test_api_rows import insert, running_on, violation

EXPORTS = ["/violations/export.csv", "/violations/export.ocsf"]


def failing_after(good_batches: int) -> Any:
    """``stream_violations`` that yields ``good_batches`` real batches, then loses the database."""

    async def stream(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        served = 0
        async for batch in repository.stream_violations(*args, **kwargs):
            if served == good_batches:
                break
            yield batch
            served += 1
        raise ConnectionResetError("the database connection was lost")

    return stream


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` (already started) behind uvicorn on a free port, and a client over real TCP."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:

        async def up() -> bool:
            return server.started

        await eventually(up, timeout=10, interval=0.01, what="uvicorn to start")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", auth=SignedAs(app), timeout=10
        ) as client:
            yield client
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def exporting(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_on("sqlite", tmp_path, request, export_batch_size=2) as (app, _client):
        await insert(app, *(violation(f"v-{i}") for i in range(5)))  # three batches
        async with served(app) as client:
            yield client


@pytest.mark.parametrize("path", EXPORTS)
async def test_a_failing_first_query_is_a_500_problem_not_an_empty_200(
    exporting: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setattr("pacbot.violations.reports.router.stream_violations", failing_after(0))
    response = await exporting.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == "InternalError"


@pytest.mark.parametrize("path", EXPORTS)
async def test_a_batch_failing_mid_stream_aborts_the_transfer(
    exporting: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setattr("pacbot.violations.reports.router.stream_violations", failing_after(1))
    async with exporting.stream("GET", path) as response:
        assert response.status_code == 200  # the first batch went out before the failure
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
            await response.aread()


@pytest.mark.parametrize("path", EXPORTS)
async def test_the_same_export_completes_when_nothing_fails(
    exporting: httpx.AsyncClient, path: str
) -> None:
    response = await exporting.get(path)
    assert response.status_code == 200
    assert all(f"v-{i}".encode() in response.content for i in range(5))
