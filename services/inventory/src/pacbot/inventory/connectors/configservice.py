"""AWS Config per account and region: one asset with recorders, their status and channels."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: str(item.get("name")))


@connector(
    "aws.config.recorder",
    custodian=("config-recorder",),
    service="config",
    scope="regional",
    permissions=(
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeDeliveryChannels",
    ),
    id_field="Arn",
    name_field="Region",
)
class ConfigRecorderConnector(Connector):
    """The region's Config recorders as one setting asset, present even when there are none."""

    config_shape = ConfigShape(
        attributes=(
            "AccountId",
            "AllSupported",
            "Arn",
            "DeliveryChannels",
            "IncludeGlobalResourceTypes",
            "Recorders",
            "Recording",
            "Region",
            "Statuses",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The region itself; a missing recorder is what a policy flags."""
        return [{"Region": scope.region}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Recorders, whether each is recording (not its last delivery) and delivery channels."""
        cfg = scope.client("config")
        recorders = _by_name(cfg.describe_configuration_recorders()["ConfigurationRecorders"])
        statuses = _by_name(
            [
                {"name": s.get("name"), "recording": bool(s.get("recording"))}
                for s in cfg.describe_configuration_recorder_status()[
                    "ConfigurationRecordersStatus"
                ]
            ]
        )
        channels = _by_name(cfg.describe_delivery_channels()["DeliveryChannels"])
        groups = [r.get("recordingGroup") or {} for r in recorders]
        arn = f"arn:aws:config:{scope.region}:{scope.account_id}:configuration-recorders"
        config = plain(
            {
                "Arn": arn,
                "AccountId": scope.account_id,
                "Region": scope.region,
                "Recorders": recorders,
                "Statuses": statuses,
                "Recording": any(s["recording"] for s in statuses),
                "AllSupported": any(bool(g.get("allSupported")) for g in groups),
                "IncludeGlobalResourceTypes": any(
                    bool(g.get("includeGlobalResourceTypes")) for g in groups
                ),
                "DeliveryChannels": channels,
                "Tags": {},
            }
        )
        return DiscoveredAsset(
            asset_id=arn, name=scope.region, region=scope.region, config=config, tags={}
        )
