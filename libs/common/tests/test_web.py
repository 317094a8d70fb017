"""What every service answers before and around its routes: problems shaped as documented, request
ids, the body limit, NUL bytes, errors as responses, and the internal token at the door."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import jsonschema
import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel
from sqlalchemy import MetaData

from pacbot.common.auth import CurrentPrincipal, Principal, require
from pacbot.common.runtime import messaging_tables
from pacbot.common.testing import SignedAs, as_user, service_app

OUTBOX, INBOX = messaging_tables(MetaData())


class Thing(BaseModel):
    """A body with one bounded field."""

    name: str
    size: int


def app_for(tmp_path: Path) -> FastAPI:
    router = APIRouter()

    @router.post("/things")
    async def make(thing: Thing, limit: Annotated[int, Query(ge=1, le=10)] = 5) -> dict[str, Any]:
        return {"name": thing.name, "limit": limit}

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("kaput")

    @router.get("/who")
    async def who(caller: CurrentPrincipal) -> dict[str, Any]:
        return {"subject": caller.subject, "roles": sorted(caller.roles)}

    @router.post("/secure", dependencies=[require("security")])
    async def secure() -> dict[str, str]:
        return {"ok": "yes"}

    return service_app("things", tmp_path, router, max_body_bytes=2048)


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return app_for(tmp_path)


def signed(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app, raise_app_exceptions=False),
        base_url="http://t",
        auth=SignedAs(app),
    )


def documented_422(app: FastAPI, path: str, method: str = "post") -> dict[str, Any]:
    spec = app.openapi()
    response = spec["paths"][path][method]["responses"]["422"]
    schema = response["content"]["application/problem+json"]["schema"]
    return {**schema, "components": spec["components"]}


async def test_a_422_is_the_problem_the_document_advertises(app: FastAPI) -> None:
    async with signed(app) as http:
        bad = await http.post("/things?limit=99", json={"name": 3})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    body = bad.json()
    jsonschema.validate(body, documented_422(app, "/things"))
    assert body["type"] == "https://pacbot.dev/problems/validation-error"
    assert body["field"] == "limit"
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("query", "limit"), ("body", "size")}
    assert "HTTPValidationError" not in app.openapi()["components"]["schemas"]


async def test_request_ids_limits_nul_bytes_and_errors(app: FastAPI) -> None:
    async with signed(app) as http:
        echoed = await http.get("/who", headers={"X-Request-ID": "abc-1"})
        assert echoed.headers["x-request-id"] == "abc-1"
        too_big = await http.post("/things", json={"name": "x" * 5000, "size": 1})
        assert too_big.status_code == 413
        assert too_big.json()["error"] == "PayloadTooLarge"
        nul = await http.get("/who", params={"q": "a\x00b"})
        assert nul.status_code == 400
        assert nul.json()["error"] == "InvalidCharacters"
        failed = await http.get("/boom")
        assert failed.status_code == 500
        assert failed.json()["type"].endswith("/internal-error")
        assert "kaput" not in failed.text  # no internals leak
        unknown = await http.get("/nowhere")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"


async def test_the_door_needs_a_token_for_this_service(app: FastAPI, tmp_path: Path) -> None:
    plain = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t")
    async with plain:
        for path in ("/who", "/openapi.json", "/docs"):
            assert (await plain.get(path)).status_code == 401, path
        assert (await plain.get("/healthz")).status_code == 200
        forged = {"X-PacBot-User": "root", "X-PacBot-Roles": "admin"}
        assert (await plain.get("/who", headers=forged)).status_code == 401
        tokens = app.state.runtime.tokens
        other = tokens.mint(Principal("x", frozenset({"admin"})), "violations")
        wrong_audience = await plain.get("/who", headers={"Authorization": f"Bearer {other}"})
        assert wrong_audience.status_code == 401
        assert "not meant for the things service" in wrong_audience.json()["detail"]
    async with signed(app) as http:
        me = await http.get("/who", headers=as_user("ana@x", "viewer"))
        assert me.json() == {"subject": "ana@x", "roles": ["viewer"]}
        assert (await http.post("/secure", headers=as_user("ana@x", "viewer"))).status_code == 403
        assert (await http.post("/secure", headers=as_user("sam@x", "security"))).status_code == 200
        assert (await http.post("/secure", headers=as_user("ada@x", "admin"))).status_code == 200
