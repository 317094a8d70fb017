"""EKS clusters: API endpoint exposure, control-plane logging, secrets encryption and version."""

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

# Status and health move on their own; the CA bundle rotates without a configuration change.
_DROPPED = frozenset({"status", "health", "certificateAuthority", "tags"})
_UNORDERED_VPC = ("subnetIds", "securityGroupIds", "publicAccessCidrs")


def logging_enabled_types(cluster: dict[str, Any]) -> list[str]:
    """Control-plane log types that are switched on."""
    entries = (cluster.get("logging") or {}).get("clusterLogging") or []
    return sorted({t for e in entries if e.get("enabled") for t in e.get("types") or []})


def cluster_config(cluster: dict[str, Any]) -> dict[str, Any]:
    """DescribeCluster (API casing) with sorted sets, derived log types and flattened tags."""
    config: dict[str, Any] = plain({k: v for k, v in cluster.items() if k not in _DROPPED})
    vpc = dict(config.get("resourcesVpcConfig") or {})
    for key in _UNORDERED_VPC:
        if isinstance(vpc.get(key), list):
            vpc[key] = sorted(vpc[key])
    config["resourcesVpcConfig"] = vpc
    config.setdefault("encryptionConfig", None)
    config["LoggingEnabledTypes"] = logging_enabled_types(cluster)
    config["Tags"] = flatten_tags(cluster.get("tags"))
    return config


@connector(
    "aws.eks.cluster",
    custodian=("eks",),
    service="eks",
    scope="regional",
    permissions=("eks:ListClusters", "eks:DescribeCluster"),
    id_field="arn",
    name_field="name",
)
class EksClusterConnector(Connector):
    """Clusters from a paged ListClusters; DescribeCluster per cluster (tags included)."""

    config_shape = ConfigShape(api=("eks", "Cluster"), attributes=("LoggingEnabledTypes", "Tags"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every cluster name of the region."""
        names = paginate(scope.client("eks"), "list_clusters", "clusters")
        return [{"name": name} for name in names]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The cluster's configuration; None when it was deleted since the listing."""
        answer = optional(
            scope.client("eks").describe_cluster,
            missing=("ResourceNotFoundException",),
            name=resource["name"],
        )
        if answer is None:
            return None
        config = cluster_config(answer["cluster"])
        return DiscoveredAsset(
            asset_id=config["arn"],
            name=config["name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
