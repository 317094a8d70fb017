"""Framework compliance over the real HTTP path: the violations service asks a real assessor
(the shipped pack and catalogue, served by uvicorn) which policies judge each CIS control, with
its own signed token, and the gateway forwards the framework routes and the report's exports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pacbot.assessor.app import create_app as create_assessor
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.runtime import SharedInfra
from pacbot.common.testing import served
from pacbot.gateway.app import create_app as create_gateway
from pacbot.gateway.auth.keys import KeySpec, issue_direct
from pacbot.gateway.settings import GatewaySettings
from pacbot.violations.compliance.frameworks import FrameworkMappings
from services.violations.tests.test_api_rows import insert, result, running_on

A1 = "111111111111"
PUBLIC = "aws-s3-bucket-public-access"
HTTPS = "aws-s3-bucket-deny-insecure-transport"
ROOT_MFA = "aws-iam-root-mfa-enabled"
ROWS = [
    result("arn:aws:s3:::site", PUBLIC, "fail", account_id=A1),
    result("arn:aws:s3:::logs", PUBLIC, "pass", account_id=A1),
    result("arn:aws:s3:::site", HTTPS, "pass", account_id=A1),
    result("arn:aws:s3:::logs", HTTPS, "pass", account_id=A1),
    result(f"arn:aws:iam::{A1}:root", ROOT_MFA, "pass", account_id=A1),
]


@asynccontextmanager
async def gateway_over(
    tmp_path: Path, transports: dict[str, httpx.AsyncBaseTransport]
) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway whose peers are ``transports``, and a viewer's client to it."""
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/gateway.db", bus="memory", log_json=False
    )
    gateway = create_gateway(settings, shared=SharedInfra(transports=transports))
    async with gateway.router.lifespan_context(gateway):
        token = await issue_direct(
            gateway.state.runtime.db, KeySpec(name="viewer", roles=frozenset({"viewer"}))
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(gateway),
            base_url="http://gw",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            yield client


async def test_cis_controls_in_a_scope_through_the_real_assessor(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    assessor = create_assessor(
        AssessorSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/assessor.db",
            bus="memory",
            log_json=False,
            replay_on_deploy=False,
        )
    )
    async with assessor.router.lifespan_context(assessor), served(assessor) as assessor_url:
        urls = {"assessor": assessor_url}
        async with running_on("sqlite", tmp_path, request, service_urls=urls) as (app, client):
            await insert(app, *ROWS)
            direct = await client.get("/compliance/frameworks/cis-aws-3.0")
            transports: dict[str, httpx.AsyncBaseTransport] = {
                "assessor": httpx.ASGITransport(assessor),
                "violations": httpx.ASGITransport(app),
            }
            async with gateway_over(tmp_path, transports) as gw:
                listed = await gw.get("/api/v1/frameworks")
                detail = await gw.get("/api/v1/frameworks/cis-aws-3.0", params={"limit": 5})
                report = await gw.get(
                    "/api/v1/compliance/frameworks/cis-aws-3.0",
                    params={"account_id": A1, "status": "fail"},
                )
                missing = await gw.get("/api/v1/compliance/frameworks/cis-aws-9.9")
                exports = {
                    name: await gw.get(
                        f"/api/v1/compliance/frameworks/cis-aws-3.0/{name}",
                        params={"account_id": A1, "status": "fail"},
                    )
                    for name in ("export.csv", "export.ocsf", "report.html")
                }
        app.state.framework_mappings = FrameworkMappings()  # forget the mapping
    async with running_on("sqlite", tmp_path, request, service_urls=urls) as (_, client):
        gone = await client.get("/compliance/frameworks/cis-aws-3.0")

    assert direct.status_code == 200, direct.text
    body: dict[str, Any] = direct.json()
    by_id = {c["control_id"]: c for c in body["items"]}
    assert (by_id["2.1.4"]["status"], by_id["2.1.1"]["status"], by_id["1.5"]["status"]) == (
        "fail",
        "pass",
        "pass",
    )
    assert [p["policy_id"] for p in by_id["2.1.4"]["policies"]] == [PUBLIC]
    assert by_id["2.1.4"]["policies"][0]["compliance_pct"] == 50.0
    assert by_id["1.1"] | {"policies": []} == by_id["1.1"]  # manual, nothing maps to it
    assert (by_id["1.1"]["manual"], by_id["1.1"]["status"]) == (True, "manual")
    assert sum(1 for c in body["items"] if c["manual"]) == 8
    assert {k: body[k] for k in ("controls", "passing", "failing", "manual", "not_evaluated")} == {
        "controls": 62,
        "passing": 2,
        "failing": 1,
        "manual": 8,
        "not_evaluated": 51,
    }
    assert body["compliance_pct"] == pytest.approx(200 / 3)

    assert listed.status_code == 200, listed.text
    [cis] = [f for f in listed.json()["items"] if f["framework_id"] == "cis-aws-3.0"]
    assert (cis["controls"], cis["automated"], cis["mapped_automated"]) == (62, 54, 54)
    assert detail.status_code == 200, detail.text
    assert [c["control_id"] for c in detail.json()["items"]] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert detail.json()["next_cursor"]
    assert report.status_code == 200, report.text
    assert [c["control_id"] for c in report.json()["items"]] == ["2.1.4"]
    assert report.json()["scope"] == f"account:{A1}"
    assert missing.status_code == 404
    assert [r.status_code for r in exports.values()] == [200, 200, 200]
    assert exports["export.csv"].headers["content-type"] == "text/csv; charset=utf-8"
    [row] = exports["export.csv"].text.splitlines()[1:]
    assert row.startswith("cis-aws-3.0,2.1.4,")
    assert ",failing,aws-s3-bucket-public-access," in row
    [finding] = exports["export.ocsf"].json()
    assert finding["compliance"]["requirements"] == ["2.1.4"]
    assert [r["uid"] for r in finding["resources"]] == ["arn:aws:s3:::site"]
    assert exports["report.html"].headers["content-type"].startswith("text/html")
    assert "arn:aws:s3:::site" in exports["report.html"].text

    assert gone.status_code == 503  # the assessor stopped: said so, not a 500
    assert "the assessor is unreachable" in gone.json()["detail"]
