"""A failed export never looks like an empty or a complete one (served by a real uvicorn).

When the first query fails the answer is a 500 problem, not a 200 with no rows; when a later
batch fails the transfer is aborted, so the client sees an incomplete body, not a short file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pacbot.common.testing import SignedAs, served
from pacbot.violations.lifecycle import repository
from services.violations.tests.test_api_rows import insert, running_on, violation

EXPORTS = ["/violations/export.csv", "/violations/export.ocsf"]


def failing_after(good_batches: int) -> Any:
    """``stream_violations`` that yields ``good_batches`` real batches, then loses the database."""

    async def stream(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        sent = 0
        async for batch in repository.stream_violations(*args, **kwargs):
            if sent == good_batches:
                break
            yield batch
            sent += 1
        raise ConnectionResetError("the database connection was lost")

    return stream


@pytest.fixture
async def exporting(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_on("sqlite", tmp_path, request, export_batch_size=2) as (app, _client):
        await insert(app, *(violation(f"v-{i}") for i in range(5)))  # three batches
        async with (
            served(app) as url,
            httpx.AsyncClient(base_url=url, auth=SignedAs(app), timeout=10) as client,
        ):
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
