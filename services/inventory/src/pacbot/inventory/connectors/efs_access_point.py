"""EFS access points: the root directory and POSIX identity they force on clients."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# ClientToken is the creation's idempotency token; the life cycle state moves on its own.
_DROPPED = frozenset({"ClientToken", "LifeCycleState", "Tags"})
_GONE_STATES = frozenset({"deleting", "deleted"})


def access_point_config(access_point: dict[str, Any]) -> dict[str, Any]:
    """The access point with ``PosixUser`` (null when not enforced) and ``RootDirectory``."""
    config: dict[str, Any] = plain({k: v for k, v in access_point.items() if k not in _DROPPED})
    config["PosixUser"] = config.get("PosixUser") or None
    if config["PosixUser"] and "SecondaryGids" in config["PosixUser"]:
        config["PosixUser"]["SecondaryGids"] = sorted(config["PosixUser"]["SecondaryGids"])
    config["RootDirectory"] = config.get("RootDirectory") or {"Path": "/"}
    config["Tags"] = flatten_tags(access_point.get("Tags"))
    return config


@connector(
    "aws.efs.access_point",
    service="efs",
    scope="regional",
    permissions=("elasticfilesystem:DescribeAccessPoints",),
    id_field="AccessPointArn",
    name_field="Name",
    custodian=(),  # Cloud Custodian has no access point resource
)
class EfsAccessPointConnector(Connector):
    """Access points of every file system from one paged call (tags included)."""

    config_shape = ConfigShape(api=("efs", "AccessPointDescription"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every access point of the region that is not being deleted."""
        found = paginate(scope.client("efs"), "describe_access_points", "AccessPoints")
        return [a for a in found if a.get("LifeCycleState") not in _GONE_STATES]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset:
        """The listed access point, normalised (no further call)."""
        config = access_point_config(resource)
        config["Name"] = config.get("Name") or config["Tags"].get("Name") or config["AccessPointId"]
        return DiscoveredAsset(
            asset_id=config["AccessPointArn"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
