"""``GET /compliance/frameworks/{id}``: each control pass / fail / not evaluated in a scope.

The assessor is an ASGI double answering ``GET /frameworks/{id}`` as the assessor contract
says (two pages, to show every page is read), reached through ``runtime.service("assessor")``;
``test_frameworks_http.py`` runs the real assessor over HTTP instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from pacbot.common.testing import check_cursor_paging
from pacbot.violations.compliance.frameworks import (
    ControlPolicy,
    FrameworkMappings,
    control_status,
)
from services.violations.tests.test_api_rows import insert, result, running_on, violation

A1, A2 = "111111111111", "222222222222"


def policy(policy_id: str, enabled: bool = True) -> dict[str, Any]:
    return {
        "policy_id": policy_id,
        "name": f"policy {policy_id}",
        "severity": "high",
        "category": "security",
        "enabled": enabled,
    }


def control(control_id: str, *policies: str, automated: bool = True) -> dict[str, Any]:
    return {
        "control_id": control_id,
        "title": f"Control {control_id}",
        "section": "Demo",
        "subsection": None,
        "profile": "Level 1",
        "automated": automated,
        "policies": [policy(p) for p in policies],
    }


CONTROLS = [
    control("1", "p-fails"),  # one of its two assets fails: fail
    control("2", "p-passes"),  # every result passes: pass
    control("3", "p-passes", "p-unseen"),  # one policy passes, the other has no result: pass
    control("4"),  # nothing judges it: not evaluated
    control("5", "p-errs", automated=False),  # only error results: not evaluated, manual
    control("6", "p-exempted"),  # fails, but under an exception: fail unless counted passing
]


class AssessorDouble:
    """``GET /frameworks/demo-1.0`` four controls a page; counts the calls; ``status`` != 200
    answers that status."""

    def __init__(self) -> None:
        self.calls = 0
        self.status = 200

    def transport(self) -> httpx.ASGITransport:
        assessor = FastAPI()

        @assessor.get("/frameworks/{framework_id}")
        async def framework(framework_id: str, cursor: str | None = None) -> JSONResponse:
            self.calls += 1
            if self.status != 200:
                return JSONResponse({"error": "boom"}, status_code=self.status)
            if framework_id != "demo-1.0":
                return JSONResponse({"error": "NotFound"}, status_code=404)
            start = 4 if cursor == "second" else 0
            return JSONResponse(
                {
                    "framework_id": "demo-1.0",
                    "name": "Demo",
                    "version": "1.0",
                    "publisher": "tests",
                    "url": None,
                    "controls": len(CONTROLS),
                    "automated": 5,
                    "manual": 1,
                    "mapped_controls": 5,
                    "mapped_automated": 4,
                    "policies": 5,
                    "items": CONTROLS[start : start + 4],
                    "total": len(CONTROLS),
                    "next_cursor": None if start else "second",
                }
            )

        return httpx.ASGITransport(app=assessor)


def unreachable(_request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


ROWS = [
    result("a1", "p-fails", "pass", account_id=A1),
    result("a2", "p-fails", "fail", account_id=A2),
    violation("v-a2", asset_id="a2", policy_id="p-fails", account_id=A2),
    result("a1", "p-passes", "pass", account_id=A1),
    result("a2", "p-passes", "pass", account_id=A2),
    result("a1", "p-errs", "error", account_id=A1),
    result("a1", "p-exempted", "fail", account_id=A1),
    violation("v-ex", asset_id="a1", policy_id="p-exempted", account_id=A1, status="exempted"),
    result("a1", "p-other", "fail", account_id=A1),  # maps to no control of the framework
]


@pytest.fixture
async def demo(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    assessor = AssessorDouble()
    transports = {"assessor": assessor.transport()}
    async with running_on("sqlite", tmp_path, request, transports=transports) as (app, c):
        await insert(app, *ROWS)
        yield app, c, assessor


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {c["control_id"]: c["status"] for c in body["items"]}


def test_the_status_rules() -> None:
    def figures(evaluated: int, failing: int) -> ControlPolicy:
        return ControlPolicy(
            policy_id="p",
            name="p",
            severity="low",
            category="security",
            enabled=True,
            evaluated=evaluated,
            passing=evaluated - failing,
            failing=failing,
            exempted=0,
            unknown=0,
            compliance_pct=None,
        )

    assert control_status([]) == "not_evaluated"
    assert control_status([figures(0, 0)]) == "not_evaluated"
    assert control_status([figures(3, 0)]) == "pass"
    assert control_status([figures(3, 0), figures(0, 0)]) == "pass"
    assert control_status([figures(3, 0), figures(1, 1)]) == "fail"
    assert control_status([figures(0, 0), figures(5, 5)]) == "fail"
    assert control_status([figures(5, 5)], manual=True) == "manual"
    assert control_status([], manual=True) == "manual"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_each_control_gets_its_status_and_its_policies_figures(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    transports = {"assessor": AssessorDouble().transport()}
    async with running_on(kind, tmp_path, request, transports=transports) as (app, client):
        await insert(app, *ROWS)
        response = await client.get("/compliance/frameworks/demo-1.0")
    assert response.status_code == 200, response.text
    body = response.json()
    assert statuses(body) == {
        "1": "fail",
        "2": "pass",
        "3": "pass",
        "4": "not_evaluated",
        "5": "manual",
        "6": "fail",
    }
    assert {k: body[k] for k in ("controls", "passing", "failing", "manual", "not_evaluated")} == {
        "controls": 6,
        "passing": 2,
        "failing": 2,
        "manual": 1,
        "not_evaluated": 1,
    }
    assert body["compliance_pct"] == 50.0  # 2 passing of 4 decided controls
    assert (body["framework_id"], body["name"], body["version"]) == ("demo-1.0", "Demo", "1.0")
    assert (body["scope"], body["exempted_as_passing"]) == ("all", False)
    assert (body["total"], body["next_cursor"]) == (6, None)
    first, third, fifth = body["items"][0], body["items"][2], body["items"][4]
    assert first["policies"] == [
        {
            **policy("p-fails"),
            "evaluated": 2,
            "passing": 1,
            "failing": 1,
            "exempted": 0,
            "unknown": 0,
            "compliance_pct": 50.0,
        }
    ]
    assert (first["evaluated"], first["passing"], first["failing"], first["manual"]) == (
        2,
        1,
        1,
        False,
    )
    unseen = third["policies"][1]
    assert (unseen["policy_id"], unseen["evaluated"], unseen["compliance_pct"]) == (
        "p-unseen",
        0,
        None,
    )
    assert (fifth["manual"], fifth["unknown"], fifth["evaluated"]) == (True, 1, 0)
    assert body["items"][3]["policies"] == []


async def test_exemptions_count_as_passing_when_asked(demo: Any) -> None:
    _, client, _ = demo
    body = (
        await client.get("/compliance/frameworks/demo-1.0", params={"exempted_as_passing": True})
    ).json()
    assert statuses(body)["6"] == "pass"
    assert body["items"][5]["policies"][0]["exempted"] == 1
    assert (body["passing"], body["failing"], body["compliance_pct"]) == (3, 1, 75.0)


async def test_the_scope_filters_narrow_the_figures(demo: Any) -> None:
    _, client, _ = demo
    body = (await client.get("/compliance/frameworks/demo-1.0", params={"account_id": A1})).json()
    assert body["scope"] == f"account:{A1}"
    assert statuses(body)["1"] == "pass"  # the failing asset is in the other account
    other = await client.get(
        "/compliance/frameworks/demo-1.0", params=[("account_id", A2), ("region", "us-east-1")]
    )
    assert statuses(other.json()) == {
        "1": "fail",
        "2": "pass",
        "3": "pass",
        "4": "not_evaluated",
        "5": "manual",
        "6": "not_evaluated",
    }
    nowhere = await client.get("/compliance/frameworks/demo-1.0", params={"region": "ap-south-1"})
    assert set(statuses(nowhere.json()).values()) == {"not_evaluated", "manual"}
    assert nowhere.json()["compliance_pct"] is None
    bad_tag = await client.get("/compliance/frameworks/demo-1.0", params={"tag": "no-equals"})
    assert (bad_tag.status_code, bad_tag.json()["field"]) == (400, "tag")


async def test_an_asset_group_scopes_the_figures(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    inventory = FastAPI()

    @inventory.get("/groups/{name}")
    async def group(name: str) -> JSONResponse:
        if name != "first-account":
            return JSONResponse({"error": "NotFound"}, status_code=404)
        return JSONResponse({"name": name, "criteria": {"accounts": [A1]}, "member_count": 1})

    transports: dict[str, httpx.AsyncBaseTransport] = {
        "assessor": AssessorDouble().transport(),
        "inventory": httpx.ASGITransport(app=inventory),
    }
    async with running_on("sqlite", tmp_path, request, transports=transports) as (app, client):
        await insert(app, *ROWS)
        scoped = await client.get(
            "/compliance/frameworks/demo-1.0", params={"group": "first-account"}
        )
        unknown = await client.get("/compliance/frameworks/demo-1.0", params={"group": "nope"})
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["scope"] == "group:first-account"
    assert statuses(scoped.json())["1"] == "pass"  # its failing asset is in another account
    assert (unknown.status_code, unknown.json()["field"]) == (404, "group")


async def test_a_status_filter_shows_those_controls_and_keeps_the_totals(demo: Any) -> None:
    _, client, _ = demo
    body = (await client.get("/compliance/frameworks/demo-1.0", params={"status": "fail"})).json()
    assert [c["control_id"] for c in body["items"]] == ["1", "6"]
    assert (body["total"], body["controls"], body["failing"], body["passing"]) == (2, 6, 2, 2)
    wrong = await client.get("/compliance/frameworks/demo-1.0", params={"status": "maybe"})
    assert wrong.status_code == 422


async def test_the_controls_page_like_every_list(demo: Any) -> None:
    _, client, _ = demo
    await check_cursor_paging(
        client,
        "/compliance/frameworks/demo-1.0",
        expected=["1", "2", "3", "4", "5", "6"],
        key="control_id",
        changed=[("exempted_as_passing", "true")],
    )


async def test_unknown_framework_is_a_404(demo: Any) -> None:
    _, client, _ = demo
    response = await client.get("/compliance/frameworks/pci-dss-9")
    assert response.status_code == 404
    assert response.json()["field"] == "framework_id"


async def test_the_mapping_is_reused_for_its_ttl(demo: Any) -> None:
    app, client, assessor = demo
    now = [1000.0]
    app.state.framework_mappings = FrameworkMappings(ttl=30, clock=lambda: now[0])
    for _ in range(3):
        assert (await client.get("/compliance/frameworks/demo-1.0")).status_code == 200
    assert assessor.calls == 2  # one mapping: its two pages
    now[0] += 29
    await client.get("/compliance/frameworks/demo-1.0")
    assert assessor.calls == 2
    now[0] += 2
    await client.get("/compliance/frameworks/demo-1.0")
    assert assessor.calls == 4


async def test_an_assessor_that_fails_is_a_503_saying_so(demo: Any) -> None:
    _, client, assessor = demo
    assessor.status = 500
    response = await client.get("/compliance/frameworks/demo-1.0")
    assert response.status_code == 503
    assert response.json()["detail"] == "the assessor answered 500 for framework 'demo-1.0'"


async def test_an_unreachable_assessor_is_a_503_saying_so(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    transports = {"assessor": httpx.MockTransport(unreachable)}
    async with running_on("sqlite", tmp_path, request, transports=transports) as (_, client):
        response = await client.get("/compliance/frameworks/demo-1.0")
    assert response.status_code == 503
    problem = response.json()
    assert problem["error"] == "AssessorUnavailable"
    assert problem["detail"].startswith("the assessor is unreachable (ConnectError)")
