"""`pacbot scan --framework` and `pacbot report --framework`: from a scan of the seeded moto
buckets, and from a gateway (an httpx double answering as the gateway's framework routes)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.cli.tests.test_scan import endpoint  # noqa: F401  (the seeded moto server)
from pacbot.cli.demo import MOTO_ACCOUNT
from pacbot.cli.estate import ESTATE
from pacbot.cli.main import main
from pacbot.cli.report_cmd import Scoped, from_gateway
from pacbot.violations.reports.framework_csv import COLUMNS

PUBLIC = "aws-s3-bucket-public-access"
BUCKETS = ["--resources", "aws.s3.bucket"]


def expected_failing(policy_id: str) -> list[str]:
    return sorted(f"arn:aws:s3:::{b.name}" for b in ESTATE if policy_id in b.expected_failures)


def cis_policies() -> set[str]:
    from pacbot.assessor.policies.loader import load_policies
    from pacbot.assessor.settings import SHIPPED_PACKS

    return {
        p.id
        for p in load_policies([SHIPPED_PACKS]).policies
        if p.document.enabled and "cis-aws-3.0" in p.document.frameworks
    }


def test_scan_framework_keeps_the_mapped_policies_and_groups_by_requirement(
    endpoint: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["scan", "--endpoint-url", endpoint, *BUCKETS, "--framework", "cis-aws-3.0",
                 "--format", "json"])  # fmt: skip
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert {f["policy_id"] for f in document["findings"]} <= cis_policies()
    report = document["framework"]
    assert (report["framework_id"], report["scope"]) == (
        "cis-aws-3.0",
        f"account:{MOTO_ACCOUNT},region:us-east-1",
    )
    controls = {c["control_id"]: c for c in report["items"]}
    public = controls["2.1.4"]
    assert public["status"] == "fail"
    assert [r["asset_id"] for r in public["failing_resources"]] == expected_failing(PUBLIC)
    assert {r["policy_id"] for r in public["failing_resources"]} == {PUBLIC}
    assert public["failing_resources"][0]["account_id"] == MOTO_ACCOUNT
    assert public["failing_resources"][0]["asset_name"] in {b.name for b in ESTATE}
    assert controls["1.1"]["status"] == "manual"
    assert controls["1.4"]["status"] == "not_evaluated"  # IAM was not scanned
    statuses = [c["status"] for c in report["items"]]
    assert report["failing"] == statuses.count("fail") >= 1
    assert report["manual"] == statuses.count("manual") == 8

    assert main(["scan", "--endpoint-url", endpoint, *BUCKETS, "--framework", "cis-aws-3.0"]) == 0
    text = capsys.readouterr().out
    assert f"Account {MOTO_ACCOUNT}" in text
    assert "CIS Amazon Web Services Foundations Benchmark 3.0.0 (cis-aws-3.0)" in text
    assert "  FAIL          2.1.4    Ensure that S3 Buckets" in text
    assert f"      {PUBLIC}  {expected_failing(PUBLIC)[0]}  " in text
    assert "  MANUAL        1.1      Maintain current contact details" in text


def test_an_unknown_framework_is_refused_with_the_known_ids(
    endpoint: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", "--endpoint-url", endpoint, "--framework", "cis-aws-9.9"]) == 2
    err = capsys.readouterr().err
    assert "unknown framework 'cis-aws-9.9'; known: " in err
    assert "cis-aws-3.0" in err
    assert main(["report", "--framework", "nope", "--endpoint-url", endpoint]) == 2
    assert "unknown framework 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("output", ["csv", "html", "json", "table"])
def test_report_from_a_scan_in_each_format(
    endpoint: str,  # noqa: F811
    tmp_path: Path,
    output: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / f"report.{output}"
    args = ["report", "--framework", "cis-aws-3.0", "--endpoint-url", endpoint, "--format", output]
    assert main([*args, "--output", str(target)]) == 0
    assert f"to {target}" in capsys.readouterr().err
    text = target.read_text()
    failing = expected_failing(PUBLIC)
    if output == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert tuple(rows[0]) == COLUMNS
        public = [r for r in rows[1:] if r[1] == "2.1.4"]
        assert [r[COLUMNS.index("asset_id")] for r in public] == failing
    elif output == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert all(arn in text for arn in failing)
    elif output == "json":
        report = json.loads(text)
        [public] = [c for c in report["items"] if c["control_id"] == "2.1.4"]
        assert [r["asset_id"] for r in public["failing_resources"]] == failing
    else:
        assert "FAIL          2.1.4" in text


def test_report_scope_filters_need_a_gateway(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--framework", "cis-aws-3.0", "--account-id", "111122223333"]) == 2
    assert "add --gateway-url" in capsys.readouterr().err


REPORT: dict[str, Any] = {
    "framework_id": "cis-aws-3.0",
    "name": "CIS Amazon Web Services Foundations Benchmark",
    "version": "3.0.0",
    "scope": "account:111122223333",
    "exempted_as_passing": False,
    "resource_limit": 20,
    "controls": 2,
    "passing": 1,
    "failing": 0,
    "manual": 1,
    "not_evaluated": 0,
    "compliance_pct": 100.0,
    "total": 2,
}


def control(control_id: str, status: str) -> dict[str, Any]:
    return {
        "control_id": control_id,
        "title": f"Control {control_id}",
        "section": "Identity and Access Management",
        "subsection": None,
        "profile": "Level 1",
        "manual": status == "manual",
        "status": status,
        "evaluated": 0,
        "passing": 0,
        "failing": 0,
        "unknown": 0,
        "policies": [],
    }


class GatewayDouble:
    """The gateway's framework routes: two JSON pages, the exports, 404 for other ids."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if not path.startswith("/api/v1/compliance/frameworks/cis-aws-3.0"):
            return httpx.Response(404, json={"detail": "no framework 'x'", "field": "framework_id"})
        if path.endswith("/export.csv"):
            return httpx.Response(200, text="framework_id,control_id\r\n")
        if path.endswith("/report.html"):
            return httpx.Response(200, text="<!DOCTYPE html><p>report</p>")
        if request.url.params.get("cursor") == "two":
            return httpx.Response(200, json={**REPORT, "items": [control("1.2", "manual")]})
        page = {**REPORT, "items": [control("1.1", "pass")], "next_cursor": "two"}
        return httpx.Response(200, json=page)


def test_report_from_a_gateway_reads_every_page_with_the_scope() -> None:
    gateway = GatewayDouble()
    scope = Scoped(account_id=["111122223333"], tag=["env=prod"], resource_limit=5)
    transport = httpx.MockTransport(gateway)
    text = from_gateway("cis-aws-3.0", "json", scope, "http://gw/", "key-1", transport)
    report = json.loads(text)
    assert [c["control_id"] for c in report["items"]] == ["1.1", "1.2"]
    assert report["next_cursor"] is None
    first, second = gateway.requests
    assert first.headers["authorization"] == "Bearer key-1"
    assert first.url.params.get_list("account_id") == ["111122223333"]
    assert (first.url.params["tag"], first.url.params["resource_limit"]) == ("env=prod", "5")
    assert second.url.params["cursor"] == "two"
    table = from_gateway("cis-aws-3.0", "table", scope, "http://gw", None, transport)
    assert "  MANUAL        1.2      Control 1.2" in table
    csv_text = from_gateway("cis-aws-3.0", "csv", scope, "http://gw", None, transport)
    assert csv_text == "framework_id,control_id\r\n"
    assert gateway.requests[-1].url.path.endswith("/export.csv")


def test_a_gateway_problem_is_an_error_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = httpx.Client.__init__

    def with_double(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        kwargs["transport"] = httpx.MockTransport(GatewayDouble())
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", with_double)
    code = main(["report", "--framework", "pci-9", "--gateway-url", "http://gw", "--format", "csv"])
    assert code == 2
    assert "the gateway answered 404: no framework 'x'" in capsys.readouterr().err
