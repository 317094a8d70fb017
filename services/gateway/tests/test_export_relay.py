"""An export the service aborts mid-stream is aborted by the gateway too: the client sees an
incomplete transfer, never a short file that looks whole. Both sides are real uvicorn servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import StreamingResponse

from pacbot.common.testing import served, service_app
from services.gateway.tests.conftest import key_for, running_gateway


def exporting_peer(tmp_path: Path, fail: bool) -> FastAPI:
    """A 'violations' whose CSV export sends a header and a row, then (maybe) loses its data."""
    router = APIRouter()

    async def lines() -> AsyncIterator[str]:
        yield "violation_id,status\n"
        yield "v-1,open\n"
        if fail:
            raise ConnectionResetError("the database connection was lost")
        yield "v-2,open\n"

    @router.get("/violations/export.csv")
    async def export() -> StreamingResponse:
        return StreamingResponse(lines(), media_type="text/csv")

    return service_app("violations", tmp_path, router)


async def gateway_over(tmp_path: Path, fail: bool) -> AsyncIterator[tuple[str, dict[str, str]]]:
    async with (
        served(exporting_peer(tmp_path, fail)) as peer_url,
        running_gateway(tmp_path, service_urls={"violations": peer_url}) as app,
        served(app) as url,
    ):
        yield url, await key_for(app, "viewer")


@pytest.mark.parametrize("fail", [True, False])
async def test_an_aborted_export_is_aborted_through_the_gateway(tmp_path: Path, fail: bool) -> None:
    async for url, viewer in gateway_over(tmp_path, fail):
        async with (
            httpx.AsyncClient(base_url=url, headers=viewer, timeout=10) as client,
            client.stream("GET", "/api/v1/violations/export.csv") as response,
        ):
            assert response.status_code == 200
            if fail:
                with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked"):
                    await response.aread()
            else:
                body = await response.aread()
                assert body == b"violation_id,status\nv-1,open\nv-2,open\n"
