"""DMS replication instances: public accessibility, minor version upgrades and Multi-AZ."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors._listing import canonical
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Status and addresses move on their own (a failover changes the addresses).
_DROPPED = frozenset(
    {
        "ReplicationInstanceStatus",
        "ReplicationInstancePrivateIpAddress",
        "ReplicationInstancePublicIpAddress",
        "ReplicationInstancePrivateIpAddresses",
        "ReplicationInstancePublicIpAddresses",
        "ReplicationInstanceIpv6Addresses",
        "FreeUntil",
    }
)
_GONE = ("ResourceNotFoundFault",)


def replication_instance_config(instance: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The described instance without status and addresses; flags always booleans."""
    config: dict[str, Any] = plain({k: v for k, v in instance.items() if k not in _DROPPED})
    for flag in ("PubliclyAccessible", "AutoMinorVersionUpgrade", "MultiAZ"):
        config[flag] = bool(config.get(flag))
    config["VpcSecurityGroups"] = canonical(config.get("VpcSecurityGroups"))
    config["Tags"] = tags
    return config


@connector(
    "aws.dms.replication_instance",
    service="dms",
    scope="regional",
    permissions=("dms:DescribeReplicationInstances", "dms:ListTagsForResource"),
    id_field="ReplicationInstanceArn",
    name_field="ReplicationInstanceIdentifier",
    custodian=("dms-instance",),
)
class ReplicationInstanceConnector(Connector):
    """Replication instances from one paged describe call; tags per instance."""

    config_shape = ConfigShape(api=("dms", "ReplicationInstance"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every replication instance of the region, fully described."""
        client = scope.client("dms")
        return paginate(client, "describe_replication_instances", "ReplicationInstances")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The instance with its tags; None when it was deleted since the listing."""
        arn: str = resource["ReplicationInstanceArn"]
        tagged = optional(
            scope.client("dms").list_tags_for_resource, missing=_GONE, ResourceArn=arn
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("TagList"))
        config = replication_instance_config(resource, tags)
        return DiscoveredAsset(
            asset_id=arn,
            name=config["ReplicationInstanceIdentifier"],
            region=scope.region,
            config=config,
            tags=tags,
        )
