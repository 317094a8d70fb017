"""Inspector findings on moto, whose ListFindings answers from a queue the test fills through
moto's own API (``/moto-api/static/inspector2/findings-results``)."""

from __future__ import annotations

from typing import Any

import httpx

from pacbot.inventory.connectors.inspector2 import resource_arn

ACCOUNT = "123456789012"
FINDING = f"arn:aws:inspector2:us-east-1:{ACCOUNT}:finding/"


def _finding(suffix: str, **overrides: Any) -> dict[str, Any]:
    finding = {
        "awsAccountId": ACCOUNT,
        "findingArn": FINDING + suffix,
        "type": "PACKAGE_VULNERABILITY",
        "title": f"CVE-2026-{suffix} - openssl",
        "description": "A buffer overflow in openssl.",
        "severity": "CRITICAL",
        "status": "ACTIVE",
        "firstObservedAt": 1_760_000_000.0,
        "lastObservedAt": 1_764_000_000.0,
        "updatedAt": 1_764_000_000.0,
        "inspectorScore": 9.8,
        "fixAvailable": "YES",
        "exploitAvailable": "NO",
        "epss": {"score": 0.02},
        "packageVulnerabilityDetails": {
            "vulnerabilityId": f"CVE-2026-{suffix}",
            "source": "NVD",
            "vulnerablePackages": [
                {"name": "openssl", "version": "3.0.1", "fixedInVersion": "3.0.8"}
            ],
        },
        "remediation": {"recommendation": {"text": "Upgrade openssl to 3.0.8."}},
        "resources": [
            {
                "type": "AWS_EC2_INSTANCE",
                "id": "i-0123456789abcdef0",
                "partition": "aws",
                "region": "us-east-1",
                "tags": {"Owner": "web-team"},
                "details": {"awsEc2Instance": {"platform": "AMAZON_LINUX_2"}},
            }
        ],
    }
    return {**finding, **overrides}


def test_active_vulnerabilities_with_cve_fix_and_affected_resource(
    moto_url: str, discover: Any
) -> None:
    image = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop/api/sha256:ab12"
    findings = [
        _finding("0001"),
        _finding(
            "0002",
            severity="HIGH",
            fixAvailable="NO",
            resources=[{"type": "AWS_ECR_CONTAINER_IMAGE", "id": image, "region": "us-east-1"}],
        ),
        _finding(
            "0003",
            type="NETWORK_REACHABILITY",
            title="Port 22 is reachable from an Internet Gateway",
            severity="MEDIUM",
            packageVulnerabilityDetails=None,
            networkReachabilityDetails={
                "openPortRange": {"begin": 22, "end": 22},
                "protocol": "TCP",
            },
        ),
        _finding("0004", status="CLOSED"),
        _finding("0005", status="SUPPRESSED"),
        _finding("0006", type="CODE_VULNERABILITY"),
    ]
    body = {"results": [findings], "account_id": ACCOUNT, "region": "us-east-1"}
    httpx.post(
        f"{moto_url}/moto-api/static/inspector2/findings-results", json=body
    ).raise_for_status()

    found = discover("aws.inspector2.finding")

    assert set(found) == {FINDING + s for s in ("0001", "0002", "0003")}
    critical = found[FINDING + "0001"]
    assert critical.name == "CVE-2026-0001 - openssl"
    assert critical.config["vulnerabilityId"] == "CVE-2026-0001"
    assert critical.config["fixAvailable"] == "YES"
    assert critical.config["severity"] == "CRITICAL"
    assert (
        critical.config["resourceArn"]
        == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"
    )
    assert critical.owner == "web-team"
    assert "lastObservedAt" not in critical.config
    assert "epss" not in critical.config
    image_finding = found[FINDING + "0002"].config
    assert image_finding["resourceArn"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop/api"
    assert image_finding["fixAvailable"] == "NO"
    network = found[FINDING + "0003"].config
    assert network["vulnerabilityId"] is None
    assert network["type"] == "NETWORK_REACHABILITY"


def test_no_findings_queued_is_an_empty_region(moto_url: str, discover: Any) -> None:
    assert discover("aws.inspector2.finding", "eu-west-1") == {}


def test_resource_arns_of_lambda_versions_and_repositories() -> None:
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:checkout"
    lambda_version = {"type": "AWS_LAMBDA_FUNCTION", "id": function + ":$LATEST"}
    assert resource_arn(lambda_version, ACCOUNT) == function
    repository = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop"
    assert resource_arn({"type": "AWS_ECR_REPOSITORY", "id": repository}, ACCOUNT) == repository
    assert resource_arn({"type": "AWS_ACCOUNT"}, ACCOUNT) is None
