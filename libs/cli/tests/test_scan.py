"""`pacbot scan` against an in-process moto server seeded with the demo estate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pacbot.cli.demo import MOTO_ACCOUNT, moto_server
from pacbot.cli.estate import ESTATE, seed
from pacbot.cli.main import main

S3_POLICIES = {"aws-s3-bucket-public-access", "aws-s3-bucket-default-encryption"}


def bucket_policies() -> set[str]:
    """Every enabled policy of the shipped pack for S3 buckets: the scan must judge them all."""
    from pacbot.assessor.policies.loader import load_policies
    from pacbot.assessor.settings import SHIPPED_PACKS

    report = load_policies([SHIPPED_PACKS])
    return {
        p.id
        for p in report.policies
        if p.document.resource == "aws.s3.bucket" and p.document.enabled
    }


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        with moto_server() as url:
            seed(boto3.client("s3", endpoint_url=url, region_name="us-east-1"))
            yield url


def scan_json(
    capsys: pytest.CaptureFixture[str], url: str, *extra: str
) -> tuple[int, dict[str, Any]]:
    code = main(["scan", "--endpoint-url", url, "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_scan_reports_exactly_the_seeded_misconfigurations(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = scan_json(capsys, endpoint, "--resources", "aws.s3.bucket")
    assert code == 0
    assert report["account_id"] == MOTO_ACCOUNT
    assert report["regions"] == ["us-east-1"]
    assert report["resources"] == len(ESTATE)
    findings = report["findings"]
    keys = {"policy_id", "severity", "resource_type", "resource_id", "region", "status", "reason"}
    assert all(set(f) == keys for f in findings)
    got = {(f["resource_id"], f["policy_id"]): f["status"] for f in findings}
    expected = {
        (f"arn:aws:s3:::{b.name}", p): "fail" if p in b.expected_failures else "pass"
        for b in ESTATE
        for p in bucket_policies()
    }
    assert got == expected
    assert len(findings) == len(expected)
    assert all(f["reason"] for f in findings)


def test_policies_filter_evaluates_only_the_named_policy(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = scan_json(capsys, endpoint, "--policies", "aws-s3-bucket-default-encryption")
    assert code == 0
    assert {f["policy_id"] for f in report["findings"]} == {"aws-s3-bucket-default-encryption"}
    failing = {f["resource_id"] for f in report["findings"] if f["status"] == "fail"}
    assert failing == {
        f"arn:aws:s3:::{b.name}"
        for b in ESTATE
        if "aws-s3-bucket-default-encryption" in b.expected_failures
    }


def test_fail_on_exits_3_only_at_or_above_the_severity(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    buckets = ["--resources", "aws.s3.bucket"]
    assert main(["scan", "--endpoint-url", endpoint, *buckets, "--fail-on", "critical"]) == 3
    capsys.readouterr()
    # Encryption failures are "high": below critical, at or above high.
    only_high = ["--policies", "aws-s3-bucket-default-encryption"]
    assert main(["scan", "--endpoint-url", endpoint, *only_high, "--fail-on", "critical"]) == 0
    assert main(["scan", "--endpoint-url", endpoint, *only_high, "--fail-on", "high"]) == 3


def test_text_output_summarises_and_lists_failures(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--endpoint-url", endpoint, "--policies", ",".join(S3_POLICIES)]) == 0
    out = capsys.readouterr().out
    assert f"Account {MOTO_ACCOUNT}" in out
    assert f"aws.s3.bucket  {len(ESTATE)}" in out
    failures = sum(len(b.expected_failures & S3_POLICIES) for b in ESTATE)
    assert f"Findings: {failures} failing" in out
    assert "CRITICAL  aws-s3-bucket-public-access  arn:aws:s3:::acme-payments-exports" in out


def test_a_failing_sweep_is_a_warning_and_the_rest_still_runs(
    endpoint: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from pacbot.inventory.connectors import CONNECTORS

    def denied(self: object, scope: object) -> list[dict[str, Any]]:
        error = {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}
        raise ClientError(error, "ListUsers")  # type: ignore[arg-type]

    monkeypatch.setattr(CONNECTORS.get("aws.iam.user"), "list_resources", denied)
    types = ["--resources", "aws.iam.user,aws.s3.bucket"]
    assert main(["scan", "--endpoint-url", endpoint, "--format", "json", *types]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["resources"] == len(ESTATE)
    assert report["sweep_errors"] == [
        {"resource_type": "aws.iam.user", "region": "global", "error": "AccessDenied: not allowed"}
    ]
    assert "aws.iam.user in global: AccessDenied: not allowed" in captured.err


def test_unknown_filters_are_usage_errors(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--endpoint-url", endpoint, "--resources", "aws.nope"]) == 2
    assert main(["scan", "--endpoint-url", endpoint, "--policies", "no-such-policy"]) == 2
    err = capsys.readouterr().err
    assert "aws.nope" in err
    assert "no-such-policy" in err
