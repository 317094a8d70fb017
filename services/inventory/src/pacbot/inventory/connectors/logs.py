"""CloudWatch Logs log groups with retention, encryption, metric filters and tags."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_VOLATILE = ("storedBytes", "metricFilterCount")
_FILTER_KEYS = ("filterName", "filterPattern", "metricTransformations")


@connector(
    "aws.logs.log_group",
    custodian=("log-group",),
    service="logs",
    scope="regional",
    permissions=(
        "logs:DescribeLogGroups",
        "logs:DescribeMetricFilters",
        "logs:ListTagsForResource",
    ),
    id_field="logGroupArn",
    name_field="logGroupName",
)
class LogsLogGroupConnector(Connector):
    """Log groups, keys as the Logs API returns them (camelCase), plus their metric filters."""

    config_shape = ConfigShape(api=("logs", "LogGroup"), attributes=("Tags", "metricFilters"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """DescribeLogGroups, with every metric filter of the region from one paged call."""
        logs = scope.client("logs")
        filters: dict[str, list[dict[str, Any]]] = {}
        for item in paginate(logs, "describe_metric_filters", "metricFilters"):
            kept = {k: item[k] for k in _FILTER_KEYS if k in item}
            filters.setdefault(item["logGroupName"], []).append(kept)
        return [
            {**group, "metricFilters": filters.get(group["logGroupName"], [])}
            for group in paginate(logs, "describe_log_groups", "logGroups")
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The tags; None if the log group is gone."""
        name: str = resource["logGroupName"]
        arn: str = resource.get("logGroupArn") or str(resource["arn"]).removesuffix(":*")
        found = optional(
            scope.client("logs").list_tags_for_resource,
            missing=("ResourceNotFoundException",),
            resourceArn=arn,
        )
        if found is None:
            return None
        tags = flatten_tags(found.get("tags"))
        filters = sorted(resource["metricFilters"], key=lambda f: str(f.get("filterName")))
        config = plain(
            {
                **{k: v for k, v in resource.items() if k not in _VOLATILE},
                "logGroupArn": arn,
                "retentionInDays": resource.get("retentionInDays"),
                "kmsKeyId": resource.get("kmsKeyId"),
                "metricFilters": filters,
                "metricFilterCount": len(filters),
                "Tags": tags,
            }
        )
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )
