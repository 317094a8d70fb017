"""EMR clusters (public primary node, encryption at rest and in transit, logging, Kerberos) and
each region's block public access setting."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors._listing import canonical
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Clusters that still run (or are about to); terminated ones linger in the listing for weeks.
ACTIVE_STATES = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING")
_LIVE_INSTANCES = ("AWAITING_FULFILLMENT", "PROVISIONING", "BOOTSTRAPPING", "RUNNING")
# Status and hours move on their own. Configurations may hold credentials (e.g. a Hive
# metastore password in hive-site), and KerberosAttributes holds the KDC and AD passwords.
_DROPPED = frozenset(
    {"Status", "NormalizedInstanceHours", "Configurations", "KerberosAttributes", "Tags"}
)
# moto and AWS answer InvalidRequestException for a cluster or configuration that is gone.
_GONE = ("InvalidRequestException", "NoSuchCluster", "ResourceNotFound")


def security_configuration(described: dict[str, Any] | None) -> dict[str, Any] | None:
    """A DescribeSecurityConfiguration answer as ``{Name, **its decoded JSON document}``."""
    if described is None:
        return None
    document: dict[str, Any] = json.loads(described.get("SecurityConfiguration") or "{}")
    return {"Name": described["Name"], **plain(document)}


def cluster_config(
    cluster: dict[str, Any],
    security: dict[str, Any] | None,
    master_public_ips: list[str],
) -> dict[str, Any]:
    """DescribeCluster without secrets or runtime figures, plus the resolved security settings."""
    config: dict[str, Any] = plain({k: v for k, v in cluster.items() if k not in _DROPPED})
    realm = (cluster.get("KerberosAttributes") or {}).get("Realm")
    config["KerberosRealm"] = realm or None
    config["LogUri"] = cluster.get("LogUri") or None
    config["SecurityConfiguration"] = cluster.get("SecurityConfiguration") or None
    config["SecurityConfigurationDetails"] = security
    config["Applications"] = canonical(config.get("Applications"))
    config["MasterPublicIpAddresses"] = sorted(master_public_ips)
    config["Tags"] = flatten_tags(cluster.get("Tags"))
    return config


def _region_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[3] if len(parts) > 3 and parts[3] else None


@connector(
    "aws.emr.cluster",
    service="emr",
    scope="regional",
    permissions=(
        "elasticmapreduce:ListClusters",
        "elasticmapreduce:DescribeCluster",
        "elasticmapreduce:DescribeSecurityConfiguration",
        "elasticmapreduce:ListInstances",
    ),
    id_field="ClusterArn",
    name_field="Name",
    custodian=("emr",),
)
class EmrClusterConnector(Connector):
    """Active clusters, each described with its security configuration and primary node IPs."""

    config_shape = ConfigShape(
        api=("emr", "Cluster"),
        attributes=("KerberosRealm", "MasterPublicIpAddresses", "SecurityConfigurationDetails"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every cluster of the region that is starting, running or waiting.

        A listed cluster whose ARN names another region this account's sweeps cover is left
        to that region's sweep, so no cluster is stored twice. AWS lists only the region's
        clusters; moto lists every region's in each, all with us-east-1 ARNs.
        """
        client = scope.client("emr")
        clusters = paginate(client, "list_clusters", "Clusters", ClusterStates=list(ACTIVE_STATES))
        elsewhere = set(scope.regions) - {scope.region}
        return [c for c in clusters if _region_of(c.get("ClusterArn")) not in elsewhere]

    def _master_public_ips(self, client: Any, cluster: dict[str, Any]) -> list[str] | None:
        """Public IPv4 addresses of the live primary node(s); None when the cluster is gone."""
        if cluster.get("InstanceCollectionType") == "INSTANCE_FLEET":
            where: dict[str, Any] = {"InstanceFleetType": "MASTER"}
        else:
            where = {"InstanceGroupTypes": ["MASTER"]}
        try:
            instances = paginate(
                client,
                "list_instances",
                "Instances",
                ClusterId=cluster["Id"],
                InstanceStates=list(_LIVE_INSTANCES),
                **where,
            )
        except ClientError as exc:
            if error_code(exc) in _GONE:
                return None
            raise
        return [i["PublicIpAddress"] for i in instances if i.get("PublicIpAddress")]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The cluster, its security configuration (decoded) and its primary node's public IPs."""
        client = scope.client("emr")
        described = optional(client.describe_cluster, missing=_GONE, ClusterId=resource["Id"])
        if described is None:
            return None
        cluster: dict[str, Any] = described["Cluster"]
        security = None
        if cluster.get("SecurityConfiguration"):
            security = security_configuration(
                optional(
                    client.describe_security_configuration,
                    missing=_GONE,
                    Name=cluster["SecurityConfiguration"],
                )
            )
        public_ips = self._master_public_ips(client, cluster)
        if public_ips is None:
            return None
        config = cluster_config(cluster, security, public_ips)
        return DiscoveredAsset(
            asset_id=config["ClusterArn"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )


@connector(
    "aws.emr.block_public_access",
    service="emr",
    scope="regional",
    permissions=("elasticmapreduce:GetBlockPublicAccessConfiguration",),
    id_field="Arn",
    name_field="Name",
    custodian=(),
)
class EmrBlockPublicAccessConnector(Connector):
    """The region's EMR block public access setting, one asset per account and region."""

    config_shape = ConfigShape(
        api=("emr", "BlockPublicAccessConfiguration"),
        attributes=("Arn", "Name", "Region", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Always exactly one setting."""
        return [{}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Whether clusters may open ports to the internet, and the port ranges still permitted.

        An account whose setting was never changed answers without ``BlockPublicSecurityGroupRules``
        (AWS turned the block on by default only for accounts created after July 2019); the
        connector records that as ``false``, what it means. Who changed it, and when, is left out.
        """
        answer = scope.client("emr").get_block_public_access_configuration()
        setting = plain(answer.get("BlockPublicAccessConfiguration") or {})
        arn = f"arn:aws:elasticmapreduce:{scope.region}:{scope.account_id}:block-public-access"
        config: dict[str, Any] = {
            **setting,
            "Arn": arn,
            "Name": "emr-block-public-access",
            "Region": scope.region,
            "BlockPublicSecurityGroupRules": bool(setting.get("BlockPublicSecurityGroupRules")),
            "PermittedPublicSecurityGroupRuleRanges": sorted(
                setting.get("PermittedPublicSecurityGroupRuleRanges") or [],
                key=lambda r: (int(r.get("MinRange", 0)), int(r.get("MaxRange", 0))),
            ),
            "Tags": {},
        }
        return DiscoveredAsset(
            asset_id=arn, name=config["Name"], region=scope.region, config=config
        )
