"""Redshift clusters: public access, encryption, audit logging, require_ssl and VPC routing."""

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

# Status, schedules and progress reports move on their own.
_DROPPED = frozenset(
    {
        "ClusterStatus",
        "ClusterAvailabilityStatus",
        "ModifyStatus",
        "NextMaintenanceWindowStartTime",
        "ExpectedNextSnapshotScheduleTime",
        "ExpectedNextSnapshotScheduleTimeStatus",
        "RestoreStatus",
        "DataTransferProgress",
        "Tags",
        "RequireSsl",
    }
)
_LOGGING_KEYS = ("LoggingEnabled", "BucketName", "S3KeyPrefix", "LogDestinationType", "LogExports")


def require_ssl(client: Any, group: str) -> bool | None:
    """The require_ssl parameter of a cluster parameter group; None when it is not listed."""
    for parameter in paginate(
        client, "describe_cluster_parameters", "Parameters", ParameterGroupName=group
    ):
        if parameter.get("ParameterName") == "require_ssl":
            return str(parameter.get("ParameterValue", "")).lower() == "true"
    return None


def cluster_config(cluster: dict[str, Any], logging: dict[str, Any]) -> dict[str, Any]:
    """DescribeClusters' item plus logging status and require_ssl, without volatile fields."""
    config: dict[str, Any] = plain({k: v for k, v in cluster.items() if k not in _DROPPED})
    config.setdefault("KmsKeyId", None)
    config["LoggingStatus"] = {k: plain(logging[k]) for k in _LOGGING_KEYS if k in logging}
    config["RequireSsl"] = cluster.get("RequireSsl")
    config["Tags"] = flatten_tags(cluster.get("Tags"))
    return config


@connector(
    "aws.redshift.cluster",
    custodian=("redshift",),
    service="redshift",
    scope="regional",
    permissions=(
        "redshift:DescribeClusters",
        "redshift:DescribeClusterParameters",
        "redshift:DescribeLoggingStatus",
    ),
    id_field="ClusterArn",
    name_field="ClusterIdentifier",
)
class RedshiftClusterConnector(Connector):
    """Clusters from a paged DescribeClusters (tags included); require_ssl once per param group."""

    config_shape = ConfigShape(
        api=("redshift", "Cluster"),
        attributes=("ClusterArn", "LoggingStatus", "RequireSsl"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every cluster of the region, each annotated with its group's require_ssl."""
        client = scope.client("redshift")
        clusters = paginate(client, "describe_clusters", "Clusters")
        groups = {
            c["ClusterParameterGroups"][0]["ParameterGroupName"]
            for c in clusters
            if c.get("ClusterParameterGroups")
        }
        ssl = {group: require_ssl(client, group) for group in sorted(groups)}
        for cluster in clusters:
            names = [g["ParameterGroupName"] for g in cluster.get("ClusterParameterGroups") or []]
            cluster["RequireSsl"] = ssl.get(names[0]) if names else None
        return clusters

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Audit logging status; None when the cluster was deleted since the listing."""
        identifier: str = resource["ClusterIdentifier"]
        logging = optional(
            scope.client("redshift").describe_logging_status,
            missing=("ClusterNotFound", "ClusterNotFoundFault"),
            ClusterIdentifier=identifier,
        )
        if logging is None:
            return None
        config = cluster_config(resource, logging)
        arn = config.get("ClusterArn") or (
            f"arn:aws:redshift:{scope.region}:{scope.account_id}:cluster:{identifier}"
        )
        config["ClusterArn"] = arn
        return DiscoveredAsset(
            asset_id=arn, name=identifier, region=scope.region, config=config, tags=config["Tags"]
        )
