"""A framework's failing resources and exceptions per control, and the report's exports (CSV,
OCSF Compliance Findings, printable HTML), on SQLite and PostgreSQL.

The assessor is ``test_frameworks``' double (framework ``demo-1.0``, six controls).
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pacbot.violations.compliance.findings import failing_results
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.models import ExceptionProjection
from pacbot.violations.reports.framework_csv import COLUMNS
from services.violations.tests.test_api_rows import insert, result, running_on, violation
from services.violations.tests.test_frameworks import A1, A2, AssessorDouble

EXPIRES = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>&=cmd'
ROWS = [
    result("a1", "p-fails", "pass", account_id=A1),
    result("a2", "p-fails", "fail", account_id=A2),
    violation("v-a2", asset_id="a2", policy_id="p-fails", account_id=A2),
    result("a3", "p-fails", "fail", account_id=A1, region="eu-west-1", tags={"env": "prod"}),
    violation(
        "v-a3", asset_id="a3", policy_id="p-fails", account_id=A1, region="eu-west-1",
        tags={"env": "prod"},
    ),
    result("a4", "p-fails", "fail", account_id=A1, asset_name=HOSTILE, reason=HOSTILE),
    violation("v-a4", asset_id="a4", policy_id="p-fails", account_id=A1, asset_name=HOSTILE),
    result("gone", "p-fails", "fail", account_id=A1, deleted=True),  # a deleted asset
    result("a1", "p-passes", "pass", account_id=A1),
    result("a2", "p-passes", "pass", account_id=A2),
    result("a1", "p-errs", "fail", account_id=A1),  # manual control 5: its figures stay visible
    violation("v-errs", asset_id="a1", policy_id="p-errs", account_id=A1),
    result("a1", "p-exempted", "fail", account_id=A1),
    violation(
        "v-ex", asset_id="a1", policy_id="p-exempted", account_id=A1, status="exempted",
        exception_id="ex-1",
    ),
    ExceptionProjection(
        exception_id="ex-1", kind="resource", asset_ids=["a1"], policy_ids=["p-exempted"],
        criteria=None, expires_at=EXPIRES, active=True, changed_at=EXPIRES,
    ),
    result("a1", "p-other", "fail", account_id=A1),  # maps to no control of the framework
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
async def reporting(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    transports = {"assessor": AssessorDouble().transport()}
    async with running_on(request.param, tmp_path, request, transports=transports) as (app, c):
        await insert(app, *ROWS)
        yield app, c


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["control_id"]: c for c in body["items"]}


def assets(resources: list[dict[str, Any]]) -> list[str]:
    return [r["asset_id"] for r in resources]


async def test_each_control_lists_its_failing_resources_and_exceptions(reporting: Any) -> None:
    _, client = reporting
    response = await client.get("/compliance/frameworks/demo-1.0")
    assert response.status_code == 200, response.text
    body = response.json()
    controls = by_id(body)
    assert body["resource_limit"] == 20
    failing = controls["1"]
    assert failing["status"] == "fail"
    # ordered by account, region, asset; the deleted asset and the passing one are left out
    assert assets(failing["failing_resources"]) == ["a3", "a4", "a2"]
    assert failing["failing_resources"][2] == {
        "asset_id": "a2",
        "asset_name": "a2",
        "resource_type": "aws.s3.bucket",
        "account_id": A2,
        "region": "us-east-1",
        "policy_id": "p-fails",
        "violation_id": "v-a2",
        "reason": "p-fails is fail",
    }
    assert (failing["failing_not_listed"], failing["exceptions"]) == (0, [])
    exempted = controls["6"]
    assert (exempted["status"], exempted["failing_resources"]) == ("fail", [])
    [exception] = exempted["exceptions"]
    assert exception["asset_id"] == "a1"
    assert (exception["violation_id"], exception["exception_id"]) == ("v-ex", "ex-1")
    assert exception["exception_kind"] == "resource"
    assert datetime.fromisoformat(exception["expires_at"]) == EXPIRES
    manual = controls["5"]
    assert (manual["status"], manual["manual"], manual["failing"]) == ("manual", True, 1)
    assert assets(manual["failing_resources"]) == ["a1"]
    assert (controls["2"]["failing_resources"], controls["4"]["failing_resources"]) == ([], [])
    assert (body["passing"], body["failing"], body["manual"], body["not_evaluated"]) == (2, 2, 1, 1)


async def test_the_list_is_capped_and_the_rest_counted(reporting: Any) -> None:
    _, client = reporting
    one = by_id(
        (await client.get("/compliance/frameworks/demo-1.0", params={"resource_limit": 1})).json()
    )
    assert (assets(one["1"]["failing_resources"]), one["1"]["failing_not_listed"]) == (["a3"], 2)
    none = by_id(
        (await client.get("/compliance/frameworks/demo-1.0", params={"resource_limit": 0})).json()
    )
    assert (none["1"]["failing_resources"], none["1"]["failing_not_listed"]) == ([], 3)
    assert (none["6"]["exceptions"], none["6"]["exceptions_not_listed"]) == ([], 1)
    for wrong in ("-1", "10001", "many"):
        response = await client.get(
            "/compliance/frameworks/demo-1.0", params={"resource_limit": wrong}
        )
        assert response.status_code == 422, wrong


async def test_resources_follow_the_scope(reporting: Any) -> None:
    _, client = reporting
    other = by_id(
        (await client.get("/compliance/frameworks/demo-1.0", params={"account_id": A2})).json()
    )
    assert assets(other["1"]["failing_resources"]) == ["a2"]
    assert (other["6"]["status"], other["6"]["exceptions"]) == ("not_evaluated", [])
    tagged = by_id(
        (await client.get("/compliance/frameworks/demo-1.0", params={"tag": "env=prod"})).json()
    )
    assert assets(tagged["1"]["failing_resources"]) == ["a3"]
    region = by_id(
        (await client.get("/compliance/frameworks/demo-1.0", params={"region": "us-east-1"})).json()
    )
    assert assets(region["1"]["failing_resources"]) == ["a4", "a2"]


async def test_exceptions_stay_listed_when_they_count_as_passing(reporting: Any) -> None:
    _, client = reporting
    body = (
        await client.get("/compliance/frameworks/demo-1.0", params={"exempted_as_passing": True})
    ).json()
    control = by_id(body)["6"]
    assert control["status"] == "pass"
    assert [e["exception_id"] for e in control["exceptions"]] == ["ex-1"]


async def test_tags_sql_cannot_address_are_checked_in_python(reporting: Any) -> None:
    app, _ = reporting
    weird = {'we"ird': "x"}
    await insert(app, result("a7", "p-fails", "fail", account_id=A2, tags=weird))
    scope = Constraints(tags={'we"ird': frozenset({"x"})})
    async with app.state.runtime.db.session() as session:
        found = await failing_results(session, scope, ["p-fails", "p-exempted"], 5)
        capped = await failing_results(session, Constraints(), ["p-fails"], 1)
    assert list(found) == ["p-fails"]
    assert ([r.asset_id for r in found["p-fails"].open.rows], found["p-fails"].open.total) == (
        ["a7"],
        1,
    )
    assert (capped["p-fails"].open.total, len(capped["p-fails"].open.rows)) == (4, 1)


def parse(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


async def test_the_csv_has_a_row_per_control_and_failing_resource(reporting: Any) -> None:
    _, client = reporting
    response = await client.get("/compliance/frameworks/demo-1.0/export.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="demo-1.0-all.csv"' in response.headers["content-disposition"]
    rows = parse(response.text)
    pairs = [(r["control_id"], r["finding"], r["asset_id"]) for r in rows]
    assert pairs == [
        ("1", "failing", "a3"),
        ("1", "failing", "a4"),
        ("1", "failing", "a2"),
        ("2", "", ""),
        ("3", "", ""),
        ("4", "", ""),
        ("5", "failing", "a1"),
        ("6", "exempted", "a1"),
    ]
    hostile = rows[1]
    assert (hostile["asset_name"], hostile["violation_id"]) == (HOSTILE, "v-a4")
    exempted = rows[-1]
    assert (exempted["status"], exempted["exception_id"], exempted["exception_kind"]) == (
        "fail",
        "ex-1",
        "resource",
    )
    assert datetime.fromisoformat(exempted["exception_expires_at"]) == EXPIRES
    assert (rows[6]["manual"], rows[6]["status"], rows[0]["manual"]) == ("true", "manual", "false")
    capped = parse(
        (
            await client.get(
                "/compliance/frameworks/demo-1.0/export.csv",
                params={"resource_limit": 0, "status": "fail"},
            )
        ).text
    )
    assert [(r["control_id"], r["not_listed"]) for r in capped] == [("1", "3"), ("6", "1")]


async def test_csv_cells_are_inert_in_spreadsheets(reporting: Any) -> None:
    app, client = reporting
    await insert(
        app,
        result("a9", "p-passes", "fail", asset_name="=HYPERLINK(1)", reason="+1", account_id=A1),
    )
    rows = parse((await client.get("/compliance/frameworks/demo-1.0/export.csv")).text)
    [row] = [r for r in rows if (r["control_id"], r["asset_id"]) == ("2", "a9")]
    assert (row["asset_name"], row["reason"]) == ("'=HYPERLINK(1)", "'+1")


async def test_ocsf_has_a_compliance_finding_per_control(reporting: Any) -> None:
    _, client = reporting
    response = await client.get(
        "/compliance/frameworks/demo-1.0/export.ocsf", params={"account_id": A1}
    )
    assert response.status_code == 200, response.text
    assert (
        'filename="demo-1.0-account:111111111111.ocsf.json"'
        in response.headers["content-disposition"]
    )
    findings = response.json()
    assert [f["compliance"]["requirements"] for f in findings] == [[c] for c in "123456"]
    for finding in findings:
        assert (finding["class_uid"], finding["category_uid"], finding["type_uid"]) == (
            2003,
            2,
            200301,
        )
        assert finding["metadata"]["version"] == "1.1.0"
        assert finding["compliance"]["standards"] == ["demo-1.0"]
        assert isinstance(finding["time"], int)
    failing, passing, _, unjudged, manual, exempted = findings
    assert (failing["compliance"]["status_id"], failing["compliance"]["status"]) == (3, "Fail")
    assert (failing["status_id"], failing["severity_id"], failing["severity"]) == (1, 4, "High")
    assert [r["uid"] for r in failing["resources"]] == ["a3", "a4"]
    assert failing["resources"][0]["data"]["violation_id"] == "v-a3"
    assert failing["compliance"]["control"] == "Control 1"
    assert (passing["compliance"]["status_id"], passing["status_id"]) == (1, 4)
    assert (unjudged["compliance"]["status_id"], unjudged["severity_id"]) == (0, 1)
    assert (manual["compliance"]["status_id"], manual["compliance"]["status"]) == (99, "Manual")
    assert exempted["status_id"] == 3  # suppressed: its one failure is under an exception
    assert exempted["resources"][0]["data"]["exception_id"] == "ex-1"
    assert failing["metadata"]["uid"] == f"demo-1.0:1:account:{A1}"


async def test_the_html_report_is_escaped_and_self_contained(reporting: Any) -> None:
    _, client = reporting
    response = await client.get("/compliance/frameworks/demo-1.0/report.html")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script" not in page
    assert html.escape(HOSTILE, quote=True) in page
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", page), "nothing is fetched"
    assert (page.count('class="s fail"'), page.count('class="s manual"')) == (2, 1)
    for text in ("Failing resources", "Exceptions in force", "ex-1", "Demo 1.0", "scope all"):
        assert text in page
    capped = (
        await client.get(
            "/compliance/frameworks/demo-1.0/report.html", params={"resource_limit": 1}
        )
    ).text
    assert "and 2 more not listed" in capped


async def test_exports_take_the_same_scope_and_errors(reporting: Any) -> None:
    _, client = reporting
    for path in ("export.csv", "export.ocsf", "report.html"):
        bad_tag = await client.get(f"/compliance/frameworks/demo-1.0/{path}", params={"tag": "x"})
        assert (bad_tag.status_code, bad_tag.json()["field"]) == (400, "tag")
        unknown = await client.get(f"/compliance/frameworks/nope/{path}")
        assert (unknown.status_code, unknown.json()["field"]) == (404, "framework_id")
    only = await client.get(
        "/compliance/frameworks/demo-1.0/export.ocsf", params={"status": "manual"}
    )
    assert [f["compliance"]["requirements"] for f in only.json()] == [["5"]]


async def test_a_page_lists_resources_only_for_its_controls(reporting: Any) -> None:
    _, client = reporting
    first = await client.get("/compliance/frameworks/demo-1.0", params={"limit": 1})
    body = first.json()
    assert [c["control_id"] for c in body["items"]] == ["1"]
    assert assets(body["items"][0]["failing_resources"]) == ["a3", "a4", "a2"]
    second = await client.get(
        "/compliance/frameworks/demo-1.0", params={"limit": 1, "cursor": body["next_cursor"]}
    )
    assert second.status_code == 200, second.text
    assert [c["control_id"] for c in second.json()["items"]] == ["2"]
