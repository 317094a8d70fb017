"""The route x role table is the law: every route of the OpenAPI document x every role is called
and allowed or refused exactly as ``ACCESS`` (and ``docs/access.md``) says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from pacbot.gateway.access import ACCESS, ROLE_ORDER, table_markdown
from pacbot.gateway.app import create_app, route_table
from pacbot.gateway.settings import GatewaySettings
from services.gateway.tests.conftest import key_for, running_gateway

DOC = Path(__file__).parents[3] / "docs" / "access.md"


def answer(request: httpx.Request) -> httpx.Response:
    """Every service says yes: what is refused here was refused by the gateway."""
    return httpx.Response(200, json={"items": [], "total": 0})


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    peers: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.MockTransport(answer)
        for name in ("inventory", "assessor", "violations", "exceptions", "autofix")
    }
    async with running_gateway(tmp_path, peers, rate_limit_per_minute=100_000) as app:
        yield app


def test_every_route_is_in_the_table_and_nothing_else() -> None:
    app = create_app(GatewaySettings(database_url="sqlite+aiosqlite:///:memory:", bus="memory"))
    routes = set(route_table(app))
    assert routes - set(ACCESS) == set(), "routes missing from the access table"
    assert set(ACCESS) - routes == set(), "table rows naming no route"


def test_docs_access_md_is_generated_from_the_table() -> None:
    assert DOC.read_text() == table_markdown(), "run: uv run pacbot-gateway access-table"


async def test_every_route_times_every_role(app: FastAPI) -> None:
    keys = {role: await key_for(app, role, subject=f"{role}@x") for role in ROLE_ORDER}
    checked = 0
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        for method, path in route_table(app):
            rule = ACCESS[(method, path)]
            url = path.replace("{", "x").replace("}", "")
            for role in ROLE_ORDER:
                token = keys[role]["Authorization"].split()[1]
                body = {"api_key": token} if path.endswith("/session") else {}
                response = await http.request(method, url, json=body, headers=keys[role])
                allowed = rule.public or role in rule.roles or role == "admin"
                if allowed:
                    assert response.status_code not in (401, 403), (
                        method,
                        path,
                        role,
                        response.text,
                    )
                else:
                    assert response.status_code == 403, (method, path, role, response.status_code)
                checked += 1
    assert checked == len(ACCESS) * len(ROLE_ORDER)
