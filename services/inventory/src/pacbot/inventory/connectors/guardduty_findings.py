"""GuardDuty findings: each active (non-archived) finding of the region's detectors as an asset.

A finding's config carries the severity as GuardDuty scores it and as its label, when GuardDuty
first saw it, and the ARN of the resource it is about, so a policy can judge its severity and
age and the findings summary can count it against that resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

ACTIVE = {"Criterion": {"service.archived": {"Eq": ["false"]}}}
"""GuardDuty's FindingCriteria for findings nobody archived yet."""
_BATCH = 50  # GetFindings takes at most 50 finding ids
_SERVICE_KEPT = ("Archived", "DetectorId", "EventFirstSeen", "ResourceRole", "ServiceName")
"""Service fields that describe the finding itself; Count, EventLastSeen and the action block
move with every repeated event and would re-announce the finding each time."""

# GuardDuty's severity levels by score (a float from 1.0 to 10.0), highest first.
_LEVELS = ((9.0, "CRITICAL"), (7.0, "HIGH"), (4.0, "MEDIUM"), (1.0, "LOW"))


def severity_label(score: float | None) -> str:
    """The level GuardDuty shows for a severity score; scores below 1.0 are informational."""
    for floor, label in _LEVELS:
        if score is not None and score >= floor:
            return label
    return "INFORMATIONAL"


def _first(value: Any) -> Mapping[str, Any]:
    """A details block that GuardDuty returns either as one object or as a list of them."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, Mapping) else {}


def affected(resource: Mapping[str, Any], region: str, account_id: str) -> tuple[str | None, Any]:
    """The ARN of the resource a finding is about (None when GuardDuty names none) and its tags.

    An access key finding names a user but not the user's IAM path, so it has no ARN here.
    """
    instance = _first(resource.get("InstanceDetails"))
    if instance.get("InstanceId"):
        arn = f"arn:aws:ec2:{region}:{account_id}:instance/{instance['InstanceId']}"
        return arn, instance.get("Tags")
    arn_fields = (
        ("S3BucketDetails", "Arn"),
        ("EksClusterDetails", "Arn"),
        ("LambdaDetails", "FunctionArn"),
        ("RdsDbInstanceDetails", "DbInstanceArn"),
        ("EcsClusterDetails", "Arn"),
    )
    for block, field in arn_fields:
        details = _first(resource.get(block))
        if details.get(field):
            return str(details[field]), details.get("Tags")
    return None, None


def finding_config(finding: Mapping[str, Any]) -> dict[str, Any]:
    """One GetFindings item, trimmed of the counters that move, with label and affected ARN."""
    resource = finding.get("Resource") or {}
    resource_arn, resource_tags = affected(resource, finding["Region"], finding["AccountId"])
    service = finding.get("Service") or {}
    config: dict[str, Any] = plain(
        {
            "Arn": finding["Arn"],
            "Id": finding["Id"],
            "AccountId": finding["AccountId"],
            "Region": finding["Region"],
            "Type": finding.get("Type"),
            "Title": finding.get("Title") or finding.get("Type") or finding["Id"],
            "Description": finding.get("Description"),
            "Severity": finding.get("Severity"),
            "SeverityLabel": severity_label(finding.get("Severity")),
            "CreatedAt": finding.get("CreatedAt"),
            "ResourceType": resource.get("ResourceType"),
            "ResourceArn": resource_arn,
            "Resource": resource,
            "Service": {k: service[k] for k in _SERVICE_KEPT if k in service},
            "Archived": bool(service.get("Archived", False)),
        }
    )
    config["Tags"] = flatten_tags(resource_tags)
    return config


@connector(
    "aws.guardduty.finding",
    custodian=(),
    service="guardduty",
    scope="regional",
    permissions=("guardduty:ListDetectors", "guardduty:ListFindings", "guardduty:GetFindings"),
    id_field="Arn",
    name_field="Title",
)
class GuardDutyFindingConnector(Connector):
    """Active GuardDuty findings, fetched in batches of 50, tagged as the resource they concern."""

    config_shape = ConfigShape(
        attributes=(
            "AccountId",
            "Archived",
            "Arn",
            "CreatedAt",
            "Description",
            "Id",
            "Region",
            "Resource",
            "ResourceArn",
            "ResourceType",
            "Service",
            "Severity",
            "SeverityLabel",
            "Tags",
            "Title",
            "Type",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListFindings (archived ones left out) per detector, then GetFindings in batches."""
        client = scope.client("guardduty")
        findings: list[dict[str, Any]] = []
        for detector_id in sorted(paginate(client, "list_detectors", "DetectorIds")):
            ids = paginate(
                client,
                "list_findings",
                "FindingIds",
                DetectorId=detector_id,
                FindingCriteria=ACTIVE,
            )
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                answer = client.get_findings(DetectorId=detector_id, FindingIds=batch)
                findings.extend(answer.get("Findings", []))
        return findings

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The finding as listed; one archived between the two calls is left out."""
        config = finding_config(resource)
        if config["Archived"]:
            return None
        return DiscoveredAsset(
            asset_id=config["Arn"],
            name=config["Title"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
