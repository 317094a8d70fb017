"""The gateway's violations routes: reads forwarded with their filters, exports streamed with
their content type, upstream failures mapped (503 unreachable, 502 failed, 4xx as is)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.tests.conftest import key_for, running_gateway

CSV = 'violation_id,reason\r\nv-1,"a, ""quoted""\nreason"\r\n'


class CsvChunks(httpx.AsyncByteStream):
    """A body that arrives in pieces, as the violations service streams it."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for line in CSV.encode().split(b"\r\n"):
            yield line + b"\r\n" if line else b""


def violations_peer(request: httpx.Request) -> httpx.Response:
    """Exports as the violations service answers them; everything else echoes."""
    params = request.url.params
    if params.get("tag") == "bad":
        return httpx.Response(400, json={"error": "DomainError", "detail": "x", "field": "tag"})
    if params.get("fail") == "yes":
        return httpx.Response(500, text="boom")
    disposition = 'attachment; filename="violations.csv"'
    if request.url.path == "/violations/export.csv":
        headers = {"content-type": "text/csv; charset=utf-8", "content-disposition": disposition}
        return httpx.Response(200, headers=headers, stream=CsvChunks())
    if request.url.path == "/violations/export.ocsf":
        return httpx.Response(200, json=[{"class_uid": 2003}])
    return httpx.Response(
        200, json={"path": request.url.path, "params": sorted(params.multi_items())}
    )


def down(_request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


async def gateway(
    tmp_path: Path, transport: httpx.AsyncBaseTransport
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(tmp_path, {"violations": transport}) as app:
        viewer = await key_for(app, "viewer")
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gw", headers=viewer
        ) as c:
            yield c


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in gateway(tmp_path, httpx.MockTransport(violations_peer)):
        yield c


@pytest.mark.parametrize(
    "path",
    ["/compliance/summary", "/compliance/trend", "/compliance/mttr", "/results", "/violations"],
)
async def test_reads_are_forwarded_with_repeated_filters(
    client: httpx.AsyncClient, path: str
) -> None:
    params = [("tag", "App=billing"), ("tag", "Env:prod"), ("cursor", "abc"), ("days", "7")]
    response = await client.get(f"/api/v1{path}", params=params)
    assert response.status_code == 200
    assert response.json() == {"path": path, "params": [list(p) for p in sorted(params)]}


async def test_csv_export_keeps_its_content_type_and_bytes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/violations/export.csv", params={"status": "open"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="violations.csv"'
    assert response.text == CSV


async def test_ocsf_export_is_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/violations/export.ocsf")
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.text) == [{"class_uid": 2003}]


@pytest.mark.parametrize("export", ["export.csv", "export.ocsf"])
async def test_export_failures(client: httpx.AsyncClient, tmp_path: Path, export: str) -> None:
    bad = await client.get(f"/api/v1/violations/{export}", params={"tag": "bad"})
    assert (bad.status_code, bad.json()["field"]) == (400, "tag")
    failed = await client.get(f"/api/v1/violations/{export}", params={"fail": "yes"})
    assert (failed.status_code, failed.json()["error"]) == (502, "UpstreamError")
    async for unreachable in gateway(tmp_path / "down", httpx.MockTransport(down)):
        response = await unreachable.get(f"/api/v1/violations/{export}")
        assert (response.status_code, response.json()["service"]) == (503, "violations")


async def test_detail_is_not_confused_with_the_exports(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/violations/v-123")
    assert response.json()["path"] == "/violations/v-123"
