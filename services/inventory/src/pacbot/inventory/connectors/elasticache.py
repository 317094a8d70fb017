"""ElastiCache clusters: encryption at rest and in transit, AUTH, engine and snapshot retention."""

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

# Status moves on its own; node details are runtime, not configuration.
_DROPPED = frozenset({"CacheClusterStatus", "CacheNodes", "ReplicationGroup"})
# The replication group settings a cluster inherits (Redis encryption and AUTH live there).
_GROUP_KEYS = (
    "ReplicationGroupId",
    "ARN",
    "AtRestEncryptionEnabled",
    "TransitEncryptionEnabled",
    "TransitEncryptionMode",
    "AuthTokenEnabled",
    "KmsKeyId",
    "AutomaticFailover",
    "MultiAZ",
    "ClusterEnabled",
    "SnapshotRetentionLimit",
)
_SECURITY_FLAGS = ("AtRestEncryptionEnabled", "TransitEncryptionEnabled", "AuthTokenEnabled")
_GONE = ("CacheClusterNotFound", "CacheClusterNotFoundFault")


def cluster_config(cluster: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The cluster, its replication group's settings, and effective security flags."""
    group = cluster.get("ReplicationGroup")
    config: dict[str, Any] = plain({k: v for k, v in cluster.items() if k not in _DROPPED})
    config["ReplicationGroup"] = (
        plain({k: group[k] for k in _GROUP_KEYS if k in group}) if group else None
    )
    for flag in _SECURITY_FLAGS:
        config[flag] = bool(cluster.get(flag) or (group or {}).get(flag))
    config.setdefault("SnapshotRetentionLimit", 0)
    config["Tags"] = tags
    return config


@connector(
    "aws.elasticache.cluster",
    custodian=("cache-cluster",),
    service="elasticache",
    scope="regional",
    permissions=(
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
        "elasticache:ListTagsForResource",
    ),
    id_field="ARN",
    name_field="CacheClusterId",
)
class ElastiCacheClusterConnector(Connector):
    """Cache clusters joined to their replication groups (two paged calls); tags per cluster."""

    config_shape = ConfigShape(
        api=("elasticache", "CacheCluster"),
        attributes=("ReplicationGroup", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every cache cluster of the region, each with its replication group (if any) attached."""
        client = scope.client("elasticache")
        clusters = paginate(client, "describe_cache_clusters", "CacheClusters")
        if not any(c.get("ReplicationGroupId") for c in clusters):
            return clusters
        groups = paginate(client, "describe_replication_groups", "ReplicationGroups")
        by_id = {g["ReplicationGroupId"]: g for g in groups}
        return [
            {**c, "ReplicationGroup": by_id.get(c.get("ReplicationGroupId") or "")}
            for c in clusters
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Tags of the cluster; None when it was deleted since the listing."""
        tagged = optional(
            scope.client("elasticache").list_tags_for_resource,
            missing=_GONE,
            ResourceName=resource["ARN"],
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("TagList"))
        config = cluster_config(resource, tags)
        return DiscoveredAsset(
            asset_id=config["ARN"],
            name=config["CacheClusterId"],
            region=scope.region,
            config=config,
            tags=tags,
        )
