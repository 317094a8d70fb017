"""The findings summaries: per asset and estate-wide, counted from detector assets shaped by
the real connectors (Inspector, GuardDuty, SSM) and from certificates and their users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pacbot.inventory.connectors.guardduty_findings import finding_config as threat_config
from pacbot.inventory.connectors.inspector2 import finding_config as vulnerability_config
from pacbot.inventory.connectors.ssm_patching import instance_config
from pacbot.inventory.models import Asset

ACCOUNT, OTHER = "123456789012", "210987654321"
REGION = "us-east-1"
WEB = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0aaaaaaaaaaaaaaa1"
DB = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0bbbbbbbbbbbbbbb2"
FAR = f"arn:aws:ec2:{REGION}:{OTHER}:instance/i-0ccccccccccccccc3"
LB = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188"
SOON = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0a1b2c3d-1111-2222-3333-444455556666"
LATER = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/1a1b2c3d-1111-2222-3333-444455556666"
IAM_CERT = f"arn:aws:iam::{ACCOUNT}:server-certificate/legacy"
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHEXAMPLE"
NOW = datetime.now(UTC)


def _asset(asset_id: str, resource_type: str, config: dict[str, Any], **extra: Any) -> Asset:
    account = extra.pop("account", ACCOUNT)
    return Asset(
        asset_id=asset_id,
        account_id=account,
        region=extra.pop("region", REGION),
        resource_type=resource_type,
        name=extra.pop("name", asset_id.rsplit("/", 1)[-1]),
        tags=config.get("Tags", {}),
        owner=extra.pop("owner", None),
        config=config,
        config_hash="0" * 64,
        version=1,
        deleted=extra.pop("deleted", False),
        first_seen=NOW,
        last_seen=NOW,
        deleted_at=None,
    )


def _vulnerability(suffix: str, instance: str, severity: str, fix: str, **extra: Any) -> Asset:
    account = instance.split(":")[4]
    held_by = extra.pop("held_by", account)  # the swept account (a delegated administrator's)
    finding = {
        "awsAccountId": account,
        "findingArn": f"arn:aws:inspector2:{REGION}:{account}:finding/{suffix}",
        "type": "PACKAGE_VULNERABILITY",
        "title": f"CVE-2026-{suffix}",
        "severity": severity,
        "status": "ACTIVE",
        "fixAvailable": fix,
        "firstObservedAt": NOW - timedelta(days=40),
        "packageVulnerabilityDetails": {"vulnerabilityId": f"CVE-2026-{suffix}"},
        "resources": [
            {"type": "AWS_EC2_INSTANCE", "id": instance.rsplit("/", 1)[1], "region": REGION}
        ],
    }
    config = vulnerability_config(finding)
    return _asset(config["findingArn"], "aws.inspector2.finding", config, account=held_by, **extra)


def _threat(suffix: str, instance: str, score: float) -> Asset:
    finding = {
        "AccountId": ACCOUNT,
        "Arn": f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/d1/finding/{suffix}",
        "Id": suffix,
        "Region": REGION,
        "Severity": score,
        "Type": "UnauthorizedAccess:EC2/SSHBruteForce",
        "CreatedAt": "2026-11-01T10:00:00.000Z",
        "Resource": {
            "ResourceType": "Instance",
            "InstanceDetails": {"InstanceId": instance.rsplit("/", 1)[1]},
        },
        "Service": {"Archived": False, "Count": 3},
    }
    config = threat_config(finding)
    return _asset(config["Arn"], "aws.guardduty.finding", config)


def _managed(instance: str, ping: str, state: dict[str, Any] | None) -> Asset:
    item = {"InstanceId": instance.rsplit("/", 1)[1], "PingStatus": ping}
    item["ResourceType"] = "EC2Instance"
    config = instance_config(item, state, None, REGION, ACCOUNT)
    return _asset(config["Arn"], "aws.ssm.managed_instance", config)


def _stamp(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def estate() -> list[Asset]:
    """Two instances of one account with findings, one of another, certificates and users."""
    missing = {"MissingCount": 7, "FailedCount": 2, "Operation": "Scan"}
    missing["OperationEndTime"] = "2026-12-01T06:00:00Z"
    return [
        _asset(WEB, "aws.ec2.instance", {"Tags": {"Owner": "web-team"}}, owner="web-team"),
        _asset(DB, "aws.ec2.instance", {"Tags": {}}),
        _vulnerability("0001", WEB, "CRITICAL", "YES"),
        _vulnerability("0002", WEB, "CRITICAL", "NO"),
        _vulnerability("0003", WEB, "HIGH", "YES"),
        _vulnerability("0004", DB, "LOW", "YES"),
        _vulnerability("0005", WEB, "HIGH", "YES", deleted=True),
        _vulnerability("0006", FAR, "CRITICAL", "YES"),
        _vulnerability("0007", WEB, "MEDIUM", "NO", held_by=OTHER),
        _threat("t1", WEB, 8.0),
        _threat("t2", DB, 5.0),
        _managed(WEB, "Online", missing),
        _managed(DB, "ConnectionLost", None),
        _asset(SOON, "aws.acm.certificate", {"NotAfter": _stamp(3.5), "Status": "ISSUED"}),
        _asset(LATER, "aws.acm.certificate", {"NotAfter": _stamp(200.5), "Status": "ISSUED"}),
        _asset(SOON.replace("0a1b", "9a1b"), "aws.acm.certificate", {"Status": "FAILED"}),
        _asset(
            IAM_CERT,
            "aws.iam.server_certificate",
            {"Expiration": _stamp(-10.5), "ServerCertificateId": "ASCAEXAMPLEEXPIRED001"},
            region="global",
        ),
        _asset(
            LB,
            "aws.elbv2.load_balancer",
            {
                "Listeners": [
                    {
                        "Port": 443,
                        "Certificates": [{"CertificateArn": SOON}, {"CertificateArn": LATER}],
                    }
                ]
            },
        ),
        _asset(
            DISTRIBUTION,
            "aws.cloudfront.distribution",
            {"ViewerCertificate": {"IAMCertificateId": "ASCAEXAMPLEEXPIRED001"}},
            region="global",
        ),
    ]


async def _seeded(inventory: Any) -> Any:
    async with inventory.runtime.db.session() as session:
        session.add_all(estate())
    return inventory.client


async def test_an_instance_with_vulnerabilities_threats_and_missing_patches(inventory: Any) -> None:
    client = await _seeded(inventory)
    response = await client.get(f"/assets/{WEB}/findings")
    assert response.status_code == 200, response.text
    web = response.json()
    assert (web["account_id"], web["owner"]) == (ACCOUNT, "web-team")
    assert web["vulnerabilities"] == {
        "total": 4,
        "by_severity": {"CRITICAL": 2, "HIGH": 1, "MEDIUM": 1},
        "fix_available": 2,
    }
    assert web["threats"] == {"total": 1, "by_severity": {"HIGH": 1}}
    patching = web["patching"]
    assert (patching["missing"], patching["failed"], patching["ping_status"]) == (7, 2, "Online")
    assert patching["last_operation_at"] == "2026-12-01T06:00:00Z"
    assert web["certificates"] == []

    db = (await client.get(f"/assets/{DB}/findings")).json()
    assert db["vulnerabilities"]["by_severity"] == {"LOW": 1}
    assert db["threats"]["by_severity"] == {"MEDIUM": 1}
    assert db["patching"]["missing"] is None
    assert db["patching"]["ping_status"] == "ConnectionLost"


async def test_certificates_served_by_a_load_balancer_and_a_distribution(inventory: Any) -> None:
    client = await _seeded(inventory)
    lb = (await client.get(f"/assets/{LB}/findings")).json()
    assert [(c["certificate_id"], c["days_left"], c["expiring"]) for c in lb["certificates"]] == [
        (SOON, 3, True),
        (LATER, 200, False),
    ]
    assert lb["certificates_expiring"] == 1
    assert lb["patching"] is None
    assert lb["vulnerabilities"] == {"total": 0, "by_severity": {}, "fix_available": 0}
    week = (await client.get(f"/assets/{LB}/findings", params={"expiring_days": 3})).json()
    assert week["certificates_expiring"] == 0
    cdn = (await client.get(f"/assets/{DISTRIBUTION}/findings")).json()
    [legacy] = cdn["certificates"]
    assert (legacy["certificate_id"], legacy["days_left"], legacy["expiring"]) == (
        IAM_CERT,
        -11,
        True,
    )
    own = (await client.get(f"/assets/{SOON}/findings")).json()
    assert [c["certificate_id"] for c in own["certificates"]] == [SOON]


async def test_estate_rollup_by_severity_and_per_account(inventory: Any) -> None:
    client = await _seeded(inventory)
    everything = (await client.get("/findings/summary")).json()
    assert everything["vulnerabilities"] == {
        "total": 6,
        "by_severity": {"CRITICAL": 3, "HIGH": 1, "LOW": 1, "MEDIUM": 1},
        "fix_available": 4,
    }
    assert everything["threats"] == {"total": 2, "by_severity": {"HIGH": 1, "MEDIUM": 1}}
    assert everything["patching"] == {
        "managed_instances": 2,
        "non_compliant": 1,
        "never_reported": 1,
        "missing_patches": 7,
        "failed_patches": 2,
        "agents_offline": 1,
    }
    assert everything["certificates"] == {"total": 3, "expired": 1, "expiring": 1}
    other = (await client.get("/findings/summary", params={"account_id": OTHER})).json()
    assert other["vulnerabilities"]["by_severity"] == {"CRITICAL": 1, "MEDIUM": 1}
    assert other["patching"]["managed_instances"] == 0
    assert other["certificates"]["total"] == 0


async def test_unknown_or_deleted_assets_and_bad_windows_are_4xx(inventory: Any) -> None:
    client = await _seeded(inventory)
    gone = "arn:aws:inspector2:us-east-1:123456789012:finding/0005"
    assert (await client.get(f"/assets/{gone}/findings")).status_code == 404
    assert (await client.get("/assets/arn:aws:s3:::nope/findings")).status_code == 404
    bad = await client.get(f"/assets/{WEB}/findings", params={"expiring_days": 0})
    assert bad.status_code == 422
    assert (await client.get("/findings/summary", params={"expiring_days": "x"})).status_code == 422
    assert (await client.get(f"/assets/{WEB}")).json()["asset_id"] == WEB  # the read is intact
