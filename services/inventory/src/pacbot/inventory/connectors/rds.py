"""RDS DB instances, DB clusters and manual DB snapshots (with who may restore them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Status and restore windows move on their own; they are state, not configuration.
_INSTANCE_VOLATILE = frozenset(
    {"DBInstanceStatus", "LatestRestorableTime", "AutomaticRestartTime", "TagList"}
)
_CLUSTER_VOLATILE = frozenset(
    {
        "Status",
        "LatestRestorableTime",
        "EarliestRestorableTime",
        "EarliestBacktrackTime",
        "Capacity",
        "TagList",
    }
)
_SNAPSHOT_VOLATILE = frozenset({"Status", "PercentProgress", "TagList"})
_UNORDERED = (
    "VpcSecurityGroups",
    "EnabledCloudwatchLogsExports",
    "AvailabilityZones",
    "ReadReplicaDBInstanceIdentifiers",
    "ReadReplicaIdentifiers",
    "DBClusterMembers",
    "AssociatedRoles",
)


def rds_config(item: dict[str, Any], volatile: Iterable[str]) -> dict[str, Any]:
    """One describe item as a deterministic config: volatile keys out, sets sorted, tags flat."""
    skip = set(volatile)
    config: dict[str, Any] = plain({k: v for k, v in item.items() if k not in skip})
    for key in _UNORDERED:
        if isinstance(config.get(key), list):
            config[key] = sorted(config[key], key=repr)
    config["Tags"] = flatten_tags(item.get("TagList"))
    return config


@connector(
    "aws.rds.instance",
    custodian=("rds",),
    service="rds",
    scope="regional",
    permissions=("rds:DescribeDBInstances",),
    id_field="DBInstanceArn",
    name_field="DBInstanceIdentifier",
)
class RdsInstanceConnector(Connector):
    """DB instances from one paged DescribeDBInstances (tags included): exposure, encryption."""

    config_shape = ConfigShape(api=("rds", "DBInstance"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every DB instance of the region, fully described."""
        return paginate(scope.client("rds"), "describe_db_instances", "DBInstances")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed instance as its config document."""
        config = rds_config(resource, _INSTANCE_VOLATILE)
        return DiscoveredAsset(
            asset_id=config["DBInstanceArn"],
            name=config["DBInstanceIdentifier"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )


@connector(
    "aws.rds.cluster",
    custodian=("rds-cluster",),
    service="rds",
    scope="regional",
    permissions=("rds:DescribeDBClusters",),
    id_field="DBClusterArn",
    name_field="DBClusterIdentifier",
)
class RdsClusterConnector(Connector):
    """DB clusters (Aurora, Multi-AZ) from one paged DescribeDBClusters, tags included."""

    config_shape = ConfigShape(api=("rds", "DBCluster"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every DB cluster of the region, fully described."""
        return paginate(scope.client("rds"), "describe_db_clusters", "DBClusters")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed cluster as its config document."""
        config = rds_config(resource, _CLUSTER_VOLATILE)
        return DiscoveredAsset(
            asset_id=config["DBClusterArn"],
            name=config["DBClusterIdentifier"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )


@connector(
    "aws.rds.snapshot",
    custodian=("rds-snapshot",),
    service="rds",
    scope="regional",
    permissions=("rds:DescribeDBSnapshots", "rds:DescribeDBSnapshotAttributes"),
    id_field="DBSnapshotArn",
    name_field="DBSnapshotIdentifier",
)
class RdsSnapshotConnector(Connector):
    """Manual DB snapshots with their restore attribute, so snapshots shared publicly show."""

    config_shape = ConfigShape(
        api=("rds", "DBSnapshot"),
        attributes=("Public", "RestoreAttribute", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every manual DB snapshot owned by the account in the region."""
        return paginate(
            scope.client("rds"), "describe_db_snapshots", "DBSnapshots", SnapshotType="manual"
        )

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The snapshot plus `RestoreAttribute` (accounts or "all") and the derived `Public`."""
        answer = optional(
            scope.client("rds").describe_db_snapshot_attributes,
            missing=("DBSnapshotNotFound", "DBSnapshotNotFoundFault"),
            DBSnapshotIdentifier=resource["DBSnapshotIdentifier"],
        )
        if answer is None:
            return None
        attributes = answer.get("DBSnapshotAttributesResult", {}).get("DBSnapshotAttributes", [])
        restore = sorted(
            {
                value
                for attribute in attributes
                if attribute.get("AttributeName") == "restore"
                for value in attribute.get("AttributeValues") or []
            }
        )
        config = rds_config(resource, _SNAPSHOT_VOLATILE)
        config["RestoreAttribute"] = restore
        config["Public"] = "all" in restore
        return DiscoveredAsset(
            asset_id=config["DBSnapshotArn"],
            name=config["DBSnapshotIdentifier"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
