"""CloudTrail trails in their home region, with logging status and event selectors."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_TAG_BATCH = 20  # ListTags accepts at most 20 trail ARNs


@connector(
    "aws.cloudtrail.trail",
    custodian=("cloudtrail",),
    service="cloudtrail",
    scope="regional",
    permissions=(
        "cloudtrail:DescribeTrails",
        "cloudtrail:ListTags",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ),
    id_field="TrailARN",
    name_field="Name",
)
class CloudTrailTrailConnector(Connector):
    """Trails whose home region is the swept one (no shadow copies), so each is seen once."""

    config_shape = ConfigShape(
        api=("cloudtrail", "Trail"),
        attributes=("AdvancedEventSelectors", "EventSelectors", "IsLogging", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeTrails without shadow trails, tagged by ListTags in batches of 20."""
        ct = scope.client("cloudtrail")
        trails: list[dict[str, Any]] = [
            t
            for t in ct.describe_trails(includeShadowTrails=False).get("trailList", [])
            if t.get("HomeRegion", scope.region) == scope.region
        ]
        arns = [t["TrailARN"] for t in trails]
        tags: dict[str, dict[str, str]] = {}
        for start in range(0, len(arns), _TAG_BATCH):
            batch = arns[start : start + _TAG_BATCH]
            for item in paginate(ct, "list_tags", "ResourceTagList", ResourceIdList=batch):
                tags[item["ResourceId"]] = flatten_tags(item.get("TagsList"))
        return [{**t, "Tags": tags.get(t["TrailARN"], {})} for t in trails]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """IsLogging and the event selectors; None if the trail is gone."""
        ct = scope.client("cloudtrail")
        arn: str = resource["TrailARN"]
        try:
            status = ct.get_trail_status(Name=arn)
            selectors = ct.get_event_selectors(TrailName=arn)
        except ClientError as exc:
            if error_code(exc) == "TrailNotFoundException":
                return None
            raise
        config = plain(
            {
                **resource,
                "IsLogging": bool(status.get("IsLogging")),
                "EventSelectors": selectors.get("EventSelectors", []),
                "AdvancedEventSelectors": selectors.get("AdvancedEventSelectors", []),
            }
        )
        return DiscoveredAsset(
            asset_id=arn,
            name=resource["Name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
