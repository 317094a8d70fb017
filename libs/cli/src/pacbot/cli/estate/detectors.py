"""Findings of AWS's own detectors: Inspector vulnerabilities on the estate's instances, and a
certificate in its last week.

moto's Inspector answers ListFindings from a queue filled through its own API
(``/moto-api/static/inspector2/findings-results``), so the estate puts its findings there.
GuardDuty findings and SSM managed instances cannot be seeded (see ``NOT_SEEDED``).
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.certificates import self_signed

FINDING = "aws.inspector2.finding"
CERTIFICATE = "aws.acm.certificate"
CRITICAL_FIX = "aws-inspector2-critical-vulnerability-fix-available"
HIGH_FIX = "aws-inspector2-high-vulnerability-fix-available"


def _finding(
    account: Account, suffix: str, instance_id: str, severity: str, fix: str, age_days: int
) -> dict[str, Any]:
    """One active package vulnerability on ``instance_id``, first seen ``age_days`` ago."""
    first_seen = datetime.now(UTC) - timedelta(days=age_days)
    cve = f"CVE-2026-{suffix}"
    return {
        "awsAccountId": account.account_id,
        "findingArn": account.arn("inspector2", f"finding/{account.name}{suffix}"),
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{cve} - openssl",
        "description": f"{cve} in the openssl package.",
        "severity": severity,
        "status": "ACTIVE",
        "firstObservedAt": first_seen.timestamp(),
        "lastObservedAt": datetime.now(UTC).timestamp(),
        "updatedAt": datetime.now(UTC).timestamp(),
        "fixAvailable": fix,
        "exploitAvailable": "NO",
        "packageVulnerabilityDetails": {
            "vulnerabilityId": cve,
            "source": "NVD",
            "vulnerablePackages": [
                {"name": "openssl", "version": "3.0.1", "fixedInVersion": "3.0.8"}
                if fix == "YES"
                else {"name": "openssl", "version": "3.0.1"}
            ],
        },
        "resources": [
            {
                "type": "AWS_EC2_INSTANCE",
                "id": instance_id,
                "partition": "aws",
                "region": account.region,
                "details": {"awsEc2Instance": {"platform": "AMAZON_LINUX_2"}},
            }
        ],
    }


def _queue(account: Account, findings: list[dict[str, Any]]) -> None:
    """Hand moto the answer its next ListFindings in the account and region gives."""
    body = {"results": [findings], "account_id": account.account_id, "region": account.region}
    request = urllib.request.Request(  # noqa: S310 - the moto endpoint the estate was given
        f"{account.endpoint_url}/moto-api/static/inspector2/findings-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()


def seed(account: Account) -> list[Seeded]:
    """Four vulnerabilities on the estate's first instance, and an ACM certificate with 3 days."""
    reservations = account.client("ec2").describe_instances()["Reservations"]
    instance_id = min(i["InstanceId"] for r in reservations for i in r["Instances"])
    findings = [
        _finding(account, "1001", instance_id, "CRITICAL", "YES", 40),
        _finding(account, "1002", instance_id, "HIGH", "YES", 60),
        _finding(account, "1003", instance_id, "CRITICAL", "NO", 90),
        _finding(account, "1004", instance_id, "MEDIUM", "YES", 5),
    ]
    _queue(account, findings)
    body, key = self_signed(f"{account.name_of('last-week')}.acme.example", 3)
    certificate = account.client("acm").import_certificate(
        Certificate=body.encode(), PrivateKey=key.encode()
    )["CertificateArn"]
    expiring = {
        "aws-acm-certificate-expiring",
        "aws-acm-certificate-expiring-critical",
        "aws-acm-certificate-in-use",
    }
    return [
        seeded(FINDING, findings[0]["findingArn"], {CRITICAL_FIX}),
        seeded(FINDING, findings[1]["findingArn"], {HIGH_FIX}),
        seeded(FINDING, findings[2]["findingArn"]),
        seeded(FINDING, findings[3]["findingArn"]),
        seeded(CERTIFICATE, str(certificate), expiring),
    ]
