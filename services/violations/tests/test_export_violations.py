"""CSV and OCSF exports: header, escaping, filters, keyset batching, OCSF required fields."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pacbot.violations.reports.csv_export import COLUMNS
from services.violations.tests.test_api_rows import ago, insert, running_on, violation

TRICKY = violation(
    "v-tricky",
    asset_id='arn:aws:s3:::a,"quoted"',
    asset_name='=HYPERLINK("http://evil")',
    reason='line one, with a comma\nline two "quoted"',
    owner="+team@example.com",
    tags={"App": "billing", "Note": "-1;x=y"},
    opened_at=ago(2),
    updated_at=ago(1),
)
OTHERS = [
    violation("v-closed", status="closed", close_reason="fixed", closed_at=ago(1), severity="low",
              opened_at=ago(3), updated_at=ago(1)),
    violation("v-exempt", status="exempted", exception_id="ex-1", severity="critical",
              policy={"policy_id": "p-public", "name": "n",
                      "frameworks": {"cis-aws-3.0": ["2.1.4", "2.1.1"], "nist-800-53": "AC-3"}},
              opened_at=ago(4), updated_at=ago(2)),
    violation("v-gone", status="closed", close_reason="asset_deleted", closed_at=ago(1),
              policy={"policy_id": "p-public", "name": "n", "frameworks": ["cis-aws-3.0: 1.2"]},
              severity="medium", opened_at=ago(5), updated_at=ago(1)),
]  # fmt: skip


def parse_csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


@pytest.fixture
async def exporting(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    async with running_on("sqlite", tmp_path, request) as (app, client):
        await insert(app, TRICKY, *OTHERS)
        yield client


async def test_csv_has_a_header_and_escapes_every_cell(exporting: httpx.AsyncClient) -> None:
    response = await exporting.get("/violations/export.csv", params={"status": "open"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="violations.csv"' in response.headers["content-disposition"]
    assert response.text.startswith(",".join(COLUMNS) + "\r\n")
    [row] = parse_csv(response.text)
    assert row["violation_id"] == "v-tricky"
    assert row["asset_id"] == 'arn:aws:s3:::a,"quoted"'
    assert row["reason"] == 'line one, with a comma\nline two "quoted"'
    assert row["asset_name"] == '\'=HYPERLINK("http://evil")'  # made inert for spreadsheets
    assert row["owner"] == "'+team@example.com"
    assert row["tags"] == "App=billing;Note=-1;x=y"
    assert row["closed_at"] == ""
    assert 1.9 < float(row["age_days"]) < 2.2
    assert '"line one, with a comma\nline two ""quoted"""' in response.text  # RFC 4180 quoting


async def test_csv_follows_the_listing_filters_and_sort(exporting: httpx.AsyncClient) -> None:
    params = [("sort", "severity"), ("order", "desc")]
    listed = (await exporting.get("/violations", params=params)).json()["items"]
    exported = parse_csv((await exporting.get("/violations/export.csv", params=params)).text)
    assert [r["violation_id"] for r in exported] == [v["violation_id"] for v in listed]
    closed = parse_csv(
        (await exporting.get("/violations/export.csv", params={"status": "closed"})).text
    )
    assert {r["violation_id"] for r in closed} == {"v-closed", "v-gone"}
    empty = await exporting.get("/violations/export.csv", params={"tag": "App=none"})
    assert empty.text == ",".join(COLUMNS) + "\r\n"


@pytest.mark.parametrize("path", ["/violations/export.csv", "/violations/export.ocsf"])
@pytest.mark.parametrize(
    ("params", "status", "field"),
    [({"tag": "x"}, 400, "tag"), ({"sort": "name"}, 422, "sort"), ({"status": "x"}, 422, None)],
)
async def test_bad_export_filters_are_rejected_before_streaming(
    exporting: httpx.AsyncClient, path: str, params: dict[str, str], status: int, field: str | None
) -> None:
    response = await exporting.get(path, params=params)
    assert response.status_code == status
    assert response.json()["field"] == (field or "status.0")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_exports_read_every_row_once_across_batches(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    rows = [
        violation(f"v-{i:04d}", severity=("critical", "low")[i % 2], opened_at=ago(1 + i % 3))
        for i in range(1203)
    ]
    async with running_on(kind, tmp_path, request, export_batch_size=500) as (app, client):
        await insert(app, *rows)  # three keyset batches
        params = {"sort": "severity", "order": "asc"}
        exported = parse_csv((await client.get("/violations/export.csv", params=params)).text)
        findings = (await client.get("/violations/export.ocsf", params=params)).json()
    low = sorted(f"v-{i:04d}" for i in range(1203) if i % 2)
    critical = sorted(f"v-{i:04d}" for i in range(1203) if not i % 2)
    assert [r["violation_id"] for r in exported] == low + critical
    assert [f["finding_info"]["uid"] for f in findings] == low + critical


# Required by OCSF 1.1: base_event (activity_id, category_uid, class_uid, metadata with
# product and version, severity_id, time, type_uid), finding (finding_info with uid) and
# compliance_finding (compliance with standards).
REQUIRED = (
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
)


async def test_ocsf_findings_carry_the_required_fields(exporting: httpx.AsyncClient) -> None:
    response = await exporting.get("/violations/export.ocsf")
    assert response.headers["content-type"] == "application/json"
    findings = {f["finding_info"]["uid"]: f for f in json.loads(response.text)}
    assert set(findings) == {"v-tricky", "v-closed", "v-exempt", "v-gone"}
    for finding in findings.values():
        assert all(finding[name] is not None for name in REQUIRED)
        assert (finding["class_uid"], finding["category_uid"]) == (2003, 2)
        assert finding["type_uid"] == 2003 * 100 + finding["activity_id"]
        assert finding["metadata"]["version"].startswith("1.")
        assert finding["metadata"]["product"]["name"] == "PacBot"
        assert finding["finding_info"]["uid"]
        assert finding["finding_info"]["title"]
        assert finding["compliance"]["standards"]
        assert isinstance(finding["time"], int)
        assert finding["resources"][0]["uid"].startswith("arn:aws:s3:::")

    tricky = findings["v-tricky"]
    assert (tricky["status_id"], tricky["compliance"]["status_id"]) == (1, 3)  # New, Fail
    assert (tricky["activity_id"], tricky["severity_id"]) == (1, 4)  # Create, High
    assert tricky["compliance"]["requirements"] == ["p-public"]
    assert tricky["compliance"]["standards"] == ["pacbot"]
    assert tricky["resources"][0]["labels"] == ["App=billing", "Note=-1;x=y"]
    assert tricky["resources"][0]["owner"] == {"email_addr": "+team@example.com"}
    assert tricky["cloud"] == {
        "provider": "AWS",
        "region": "us-east-1",
        "account": {"uid": "111111111111"},
    }

    exempt = findings["v-exempt"]
    assert (exempt["status_id"], exempt["status"], exempt["severity_id"]) == (3, "Suppressed", 5)
    assert exempt["compliance"]["standards"] == ["cis-aws-3.0", "nist-800-53"]
    assert exempt["compliance"]["requirements"] == [
        "cis-aws-3.0: 2.1.4",
        "cis-aws-3.0: 2.1.1",
        "nist-800-53: AC-3",
    ]
    closed = findings["v-closed"]
    assert (closed["activity_id"], closed["status_id"], closed["compliance"]["status_id"]) == (
        3,
        4,
        1,
    )  # Close, Resolved, Pass
    assert closed["end_time"] is not None
    assert closed["severity_id"] == 2
    gone = findings["v-gone"]
    assert (gone["status_id"], gone["compliance"]["status_id"]) == (5, 0)  # Archived, Unknown
    assert gone["compliance"]["requirements"] == ["cis-aws-3.0: 1.2"]
