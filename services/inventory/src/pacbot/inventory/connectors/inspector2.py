"""Inspector findings: each active package or network-reachability vulnerability as an asset.

One asset per finding rather than a list on the affected resource: a finding has a lifecycle
of its own (first observed, fix available, closed), a policy judges it alone (a fixable
critical CVE left open too long), and its violation closes when Inspector closes it, without
touching the instance's or function's own assets. The findings summary counts them per
resource through ``resourceArn``.
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

TYPES = ("PACKAGE_VULNERABILITY", "NETWORK_REACHABILITY")
ACTIVE = {
    "findingStatus": [{"comparison": "EQUALS", "value": "ACTIVE"}],
    "findingType": [{"comparison": "EQUALS", "value": t} for t in TYPES],
}
"""Inspector's filterCriteria: active findings of the two vulnerability types (values of one
field are OR'ed, fields AND'ed)."""
_MOVING = frozenset({"lastObservedAt", "updatedAt", "epss", "inspectorScoreDetails", "resources"})
"""Fields rewritten on every rescan (or, for ``resources``, kept in the shaped form below)."""


def resource_arn(resource: Mapping[str, Any], account_id: str) -> str | None:
    """The ARN of the inventory asset a finding's resource belongs to.

    An EC2 instance is named by id, so its ARN is built in the EC2 shape; an ECR image belongs
    to its repository (the image ARN is the repository ARN plus ``/sha256:<digest>``); a Lambda
    finding names a version (``function:name:$LATEST``) of the unqualified function.
    """
    kind, resource_id = resource.get("type"), str(resource.get("id", ""))
    if kind == "AWS_EC2_INSTANCE":
        region = resource.get("region")
        return f"arn:aws:ec2:{region}:{account_id}:instance/{resource_id}"
    if kind == "AWS_ECR_CONTAINER_IMAGE":
        return resource_id.split("/sha256:", 1)[0]
    if kind == "AWS_LAMBDA_FUNCTION":
        return ":".join(resource_id.split(":")[:7])
    return resource_id or None


def finding_config(finding: Mapping[str, Any]) -> dict[str, Any]:
    """One ListFindings item without what moves on each rescan, plus the affected ARN and CVE."""
    account_id = str(finding.get("awsAccountId", ""))
    resources = [
        {k: r[k] for k in ("type", "id", "region", "partition") if k in r}
        for r in finding.get("resources") or []
    ]
    first = (finding.get("resources") or [{}])[0]
    package = finding.get("packageVulnerabilityDetails") or {}
    config: dict[str, Any] = plain({k: v for k, v in finding.items() if k not in _MOVING})
    config["title"] = finding.get("title") or finding["findingArn"]
    config["fixAvailable"] = finding.get("fixAvailable")
    config["vulnerabilityId"] = package.get("vulnerabilityId")
    config["resources"] = sorted(resources, key=lambda r: (r.get("type", ""), r.get("id", "")))
    config["resourceType"] = first.get("type")
    config["resourceArn"] = resource_arn(first, account_id) if first else None
    config["Tags"] = flatten_tags(first.get("tags"))
    return config


@connector(
    "aws.inspector2.finding",
    custodian=(),
    service="inspector2",
    scope="regional",
    permissions=("inspector2:ListFindings",),
    id_field="findingArn",
    name_field="title",
)
class InspectorFindingConnector(Connector):
    """Active package and network vulnerability findings from one filtered, paged ListFindings."""

    config_shape = ConfigShape(
        api=("inspector2", "Finding"),
        attributes=("Tags", "resourceArn", "resourceType", "vulnerabilityId"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every active vulnerability finding of the region (the filter is checked again here)."""
        found = paginate(
            scope.client("inspector2"), "list_findings", "findings", filterCriteria=ACTIVE
        )
        return [f for f in found if f.get("status") == "ACTIVE" and f.get("type") in TYPES]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The finding as listed, tagged as the resource it concerns."""
        config = finding_config(resource)
        return DiscoveredAsset(
            asset_id=config["findingArn"],
            name=config["title"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
