"""Amazon MQ brokers: network exposure, audit logging, minor version upgrades, encryption key."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# State and the running instances' addresses and console URLs move on their own.
_DROPPED = frozenset({"BrokerState", "BrokerInstances", "ResponseMetadata"})
_GONE = ("NotFoundException",)


def broker_config(broker: dict[str, Any]) -> dict[str, Any]:
    """DescribeBroker without runtime state; user names only; id lists sorted."""
    config: dict[str, Any] = plain({k: v for k, v in broker.items() if k not in _DROPPED})
    config["Users"] = sorted(u["Username"] for u in broker.get("Users") or [])
    for key in ("SecurityGroups", "SubnetIds"):
        config[key] = sorted(config.get(key) or [])
    config["PubliclyAccessible"] = bool(config.get("PubliclyAccessible"))
    config["AutoMinorVersionUpgrade"] = bool(config.get("AutoMinorVersionUpgrade"))
    config["Logs"] = config.get("Logs") or {}
    config["EncryptionOptions"] = config.get("EncryptionOptions") or {"UseAwsOwnedKey": True}
    config["Tags"] = {str(k): str(v) for k, v in (broker.get("Tags") or {}).items()}
    return config


@connector(
    "aws.mq.broker",
    service="mq",
    scope="regional",
    permissions=("mq:ListBrokers", "mq:DescribeBroker"),
    id_field="BrokerArn",
    name_field="BrokerName",
    custodian=("message-broker",),
)
class MqBrokerConnector(Connector):
    """Brokers from a paged ListBrokers; DescribeBroker (tags included) per broker."""

    config_shape = ConfigShape(api=("mq", "DescribeBrokerOutput"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every broker of the region (summaries)."""
        return paginate(scope.client("mq"), "list_brokers", "BrokerSummaries")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The broker's settings; None when it was deleted since the listing."""
        broker = optional(
            scope.client("mq").describe_broker, missing=_GONE, BrokerId=resource["BrokerId"]
        )
        if broker is None:
            return None
        config = broker_config(broker)
        return DiscoveredAsset(
            asset_id=config["BrokerArn"],
            name=config["BrokerName"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
