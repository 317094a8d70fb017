"""The account's posture: CIS facts that need more than one resource, joined at collection time.

A policy judges one asset's config document, so controls such as "a support role exists",
"Access Analyzer is on in every region" or "an alarm with a subscriber watches root usage" get
one global asset per account whose document holds the joined facts (as Prowler's checks do).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors import _posture_trails as trails
from pacbot.inventory.connectors._aws import error_code, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

SUPPORT_POLICY = "arn:aws:iam::aws:policy/AWSSupportAccess"
_HUB_ABSENT = ("InvalidAccessException", "ResourceNotFoundException")


def posture_arn(account_id: str) -> str:
    """The posture asset's id: one per account, in the AWS Account Management ARN shape."""
    return f"arn:aws:account::{account_id}:posture"


def support_roles(scope: Scope) -> list[str]:
    """ARNs of the roles with the AWSSupportAccess managed policy attached (CIS 1.17)."""
    iam = scope.client("iam")
    roles = paginate(
        iam,
        "list_entities_for_policy",
        "PolicyRoles",
        PolicyArn=SUPPORT_POLICY,
        EntityFilter="Role",
    )
    account = scope.account_id
    return sorted(f"arn:aws:iam::{account}:role/{r['RoleName']}" for r in roles)


def _not_offered(scope: Scope, service: str, operation: str, region: str) -> str | None:
    """Why the endpoint lacks ``service`` (it answers with a bare HTTP status), else None.

    AWS always names its errors; an emulator that does not implement a service answers with a
    plain HTTP error, and retrying that for every region would take minutes.
    """
    try:
        # one attempt, no retry (botocore counts retries): to learn quickly whether it answers
        getattr(scope.client(service, region, max_attempts=0), operation)()
    except ClientError as exc:
        if error_code(exc).isdigit():
            return f"the endpoint does not implement {service} (HTTP {error_code(exc)})"
    return None


def enabled_regions(scope: Scope) -> list[str]:
    """The account's enabled regions, when the sweep was not told which regions it covers."""
    answer = scope.client("ec2").describe_regions(AllRegions=False)
    return sorted(r["RegionName"] for r in answer["Regions"])


def access_analyzer(scope: Scope, regions: list[str]) -> dict[str, Any]:
    """Active analyzers per region, and the regions without one (CIS 1.20)."""
    unavailable = _not_offered(scope, "accessanalyzer", "list_analyzers", regions[0])
    if unavailable:
        return {"Regions": {}, "MissingRegions": [], "Unavailable": unavailable}
    active: dict[str, list[str]] = {}
    for region in regions:
        analyzers = paginate(scope.client("accessanalyzer", region), "list_analyzers", "analyzers")
        active[region] = sorted(a["name"] for a in analyzers if a.get("status") == "ACTIVE")
    missing = [r for r in regions if not active[r]]
    return {"Regions": active, "MissingRegions": missing, "Unavailable": None}


def security_hub(scope: Scope, regions: list[str]) -> dict[str, Any]:
    """The regions where Security Hub is enabled and where it is not (CIS 4.16)."""
    enabled: list[str] = []
    for region in regions:
        try:
            scope.client("securityhub", region).describe_hub()
        except ClientError as exc:
            if error_code(exc) not in _HUB_ABSENT:
                raise
            continue
        enabled.append(region)
    return {"EnabledRegions": enabled, "MissingRegions": [r for r in regions if r not in enabled]}


@connector(
    "aws.account.posture",
    custodian=(),
    service="account",
    scope="global",
    permissions=(
        "ec2:DescribeRegions",
        "iam:ListEntitiesForPolicy",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "s3:GetBucketLogging",
        "logs:DescribeMetricFilters",
        "cloudwatch:DescribeAlarms",
        "sns:ListSubscriptionsByTopic",
        "access-analyzer:ListAnalyzers",
        "securityhub:DescribeHub",
    ),
    id_field="Arn",
    name_field="AccountId",
)
class AccountPostureConnector(Connector):
    """One asset per account: the joined facts of CIS 1.17, 1.20, 3.1, 3.4, 3.8/3.9, 4.1-4.16."""

    config_shape = ConfigShape(
        attributes=(
            "AccessAnalyzer",
            "AccountId",
            "ActiveMultiRegionTrails",
            "Arn",
            "CisMetricFilters",
            "CloudTrailBuckets",
            "Regions",
            "S3ObjectLogging",
            "SecurityHub",
            "SupportRoles",
            "Tags",
            "Trails",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The account itself."""
        return [{"AccountId": scope.account_id}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Reads every fact in the swept (else enabled) regions; AWS errors fail the sweep."""
        regions = sorted(scope.regions) or enabled_regions(scope)
        every_trail = trails.trails(scope, regions)
        active = trails.active_multi_region(every_trail)
        arn = posture_arn(scope.account_id)
        config = {
            "Arn": arn,
            "AccountId": scope.account_id,
            "Regions": regions,
            "SupportRoles": support_roles(scope),
            "Trails": every_trail,
            "ActiveMultiRegionTrails": [t["Name"] for t in active],
            "CloudTrailBuckets": trails.bucket_logging(scope, every_trail),
            "S3ObjectLogging": {
                "WriteTrails": [t["Name"] for t in active if t["S3DataEvents"]["Write"]],
                "ReadTrails": [t["Name"] for t in active if t["S3DataEvents"]["Read"]],
            },
            "CisMetricFilters": trails.cis_metric_filters(scope, active),
            "AccessAnalyzer": access_analyzer(scope, regions),
            "SecurityHub": security_hub(scope, regions),
            "Tags": {},
        }
        return DiscoveredAsset(
            asset_id=arn, name=scope.account_id, region=scope.region, config=plain(config), tags={}
        )
