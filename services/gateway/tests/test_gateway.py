"""The gateway against fake peers: forwarding, pass-through of 4xx, 503 for a down peer, audit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.gateway.tests.conftest import key_for, running_gateway

Seen = list[httpx.Request]


def echo_peer(seen: Seen) -> httpx.MockTransport:
    """Answers 200 with what it received, 404 for ids ending in 'missing', 422 for bad bodies."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("missing"):
            return httpx.Response(404, json={"error": "NotFound", "detail": "nope", "field": "id"})
        if request.method == "POST" and request.url.path == "/exceptions":
            try:
                body = json.loads(request.content or b"{}")
            except ValueError:
                return httpx.Response(422, json={"error": "RequestValidationError"})
            if not body.get("reason"):
                return httpx.Response(
                    422, json={"error": "DomainError", "detail": "reason blank", "field": "reason"}
                )
        if request.url.path.endswith("/revoke"):
            return httpx.Response(409, json={"error": "Conflict", "detail": "not active"})
        return httpx.Response(
            200,
            json={
                "path": request.url.raw_path.decode(),
                "params": sorted(request.url.params.multi_items()),
                "body": json.loads(request.content) if request.content else None,
            },
        )

    return httpx.MockTransport(handle)


def down(_request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def broken(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, text="Internal Server Error")


@pytest.fixture
def seen() -> Seen:
    return []


@pytest.fixture
async def client(tmp_path: Path, seen: Seen) -> AsyncIterator[httpx.AsyncClient]:
    peer = echo_peer(seen)
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "violations": peer,
        "inventory": peer,
        "exceptions": peer,
        "assessor": httpx.MockTransport(broken),
        "autofix": httpx.MockTransport(down),
    }
    async with running_gateway(tmp_path, transports) as app:
        transport = httpx.ASGITransport(app)
        admin = await key_for(app, "admin", subject="ada@x.example")
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gw", headers=admin
        ) as http:
            yield http


@pytest.mark.parametrize(
    ("public", "upstream_path"),
    [
        ("/api/v1/compliance/summary", "/compliance/summary"),
        ("/api/v1/violations", "/violations"),
        ("/api/v1/assets", "/assets"),
        ("/api/v1/assets/search", "/assets/search"),
        ("/api/v1/exceptions", "/exceptions"),
    ],
)
async def test_reads_are_forwarded_with_their_filters(
    client: httpx.AsyncClient, seen: Seen, public: str, upstream_path: str
) -> None:
    response = await client.get(public, params=[("status", "open"), ("tag", "Owner=a")])
    assert response.status_code == 200
    assert response.json()["path"] == upstream_path + "?status=open&tag=Owner%3Da"
    assert response.json()["params"] == [["status", "open"], ["tag", "Owner=a"]]
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("public", "upstream_path"),
    [
        ("/api/v1/violations/v-123", "/violations/v-123"),
        ("/api/v1/assets/arn:aws:s3:::logs/sub", "/assets/arn:aws:s3:::logs%2Fsub"),
        ("/api/v1/exceptions/ex-9", "/exceptions/ex-9"),
    ],
)
async def test_detail_reads_reach_the_owner(
    client: httpx.AsyncClient, public: str, upstream_path: str
) -> None:
    response = await client.get(public)
    assert response.status_code == 200
    assert response.json()["path"] == upstream_path


async def test_writes_are_forwarded_with_their_body(client: httpx.AsyncClient) -> None:
    body = {"asset_ids": ["a"], "policy_ids": ["p"], "reason": "why"}
    created = await client.post("/api/v1/exceptions", json=body)
    assert created.status_code == 200
    assert created.json()["body"] == body
    scan = await client.post("/api/v1/scans", json={"account_id": "123456789012"})
    assert scan.json() == {"path": "/scans", "params": [], "body": {"account_id": "123456789012"}}


async def test_upstream_4xx_passes_through_with_its_body(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/violations/v-missing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "NotFound", "detail": "nope", "field": "id"}  # as is
    invalid = await client.post("/api/v1/exceptions", json={"reason": ""})
    assert invalid.status_code == 422
    assert invalid.json()["field"] == "reason"
    conflict = await client.post("/api/v1/exceptions/ex-1/revoke", json={"by": "bob"})
    assert conflict.status_code == 409


async def test_unreachable_peer_is_503_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/fixes", params={"status": "waiting"})
    assert response.status_code == 503
    assert response.json()["service"] == "autofix"
    assert "autofix" in response.json()["detail"]


async def test_failing_peer_is_502_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/policies")
    assert response.status_code == 502
    assert response.json()["service"] == "assessor"


async def test_garbage_body_is_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/exceptions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_write_calls_are_audited(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/exceptions", json={"reason": ""})
    await client.post("/api/v1/exceptions/ex-1/revoke", json={"by": "bob"})
    await client.get("/api/v1/violations")
    audit = (await client.get("/api/v1/audit")).json()["items"]
    assert [(e["method"], e["path"], e["status"], e["actor"], e["outcome"]) for e in audit] == [
        ("POST", "/api/v1/exceptions/ex-1/revoke", 409, "ada@x.example", "rejected"),
        ("POST", "/api/v1/exceptions", 422, "ada@x.example", "rejected"),
    ]
    assert audit[0]["targets"] == {"exception_id": "ex-1"}
    assert audit[0]["credential"].startswith("key:")
    assert audit[0]["roles"] == ["admin"]


@pytest.mark.parametrize(
    ("method", "public", "upstream_path"),
    [
        ("GET", "/api/v1/accounts", "/accounts"),
        ("GET", "/api/v1/accounts/123456789012", "/accounts/123456789012"),
        ("PATCH", "/api/v1/accounts/123456789012", "/accounts/123456789012"),
        ("POST", "/api/v1/accounts/123456789012/validate", "/accounts/123456789012/validate"),
        ("POST", "/api/v1/accounts/organization", "/accounts/organization"),
        ("GET", "/api/v1/scans", "/scans"),
        ("GET", "/api/v1/resources", "/resources"),
        ("GET", "/api/v1/resources/iam-policy", "/resources/iam-policy"),
        ("GET", "/api/v1/assets/arn:aws:s3:::logs/history", "/assets/arn:aws:s3:::logs/history"),
        ("GET", "/api/v1/assets/x%2F..%2F..%2Faccounts", "/assets/x%2F..%2F..%2Faccounts"),
    ],
)
async def test_inventory_routes_reach_the_inventory(
    client: httpx.AsyncClient, seen: Seen, method: str, public: str, upstream_path: str
) -> None:
    response = await client.request(method, public, json={} if method != "GET" else None)
    assert response.status_code == 200, response.text
    assert response.json()["path"] == upstream_path
    assert seen[-1].method == method
