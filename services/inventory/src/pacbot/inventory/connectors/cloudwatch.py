"""CloudWatch alarms: whether they act, and on which state changes."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# The alarm's state moves on its own; only its configuration belongs in the document.
_DROPPED = frozenset(
    {
        "StateValue",
        "StateReason",
        "StateReasonData",
        "StateUpdatedTimestamp",
        "StateTransitionedTimestamp",
        "EvaluationState",
    }
)
_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")
_KINDS = (("MetricAlarms", "MetricAlarm"), ("CompositeAlarms", "CompositeAlarm"))
_GONE = ("ResourceNotFound", "ResourceNotFoundException")


def alarm_config(alarm: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The alarm without its state; action lists and dimensions sorted, always present."""
    config: dict[str, Any] = plain({k: v for k, v in alarm.items() if k not in _DROPPED})
    for key in _ACTIONS:
        config[key] = sorted(config.get(key) or [])
    if "Dimensions" in config:
        config["Dimensions"] = sorted(config["Dimensions"], key=lambda d: (d["Name"], d["Value"]))
    config["ActionsEnabled"] = bool(config.get("ActionsEnabled"))
    config["Tags"] = tags
    return config


@connector(
    "aws.cloudwatch.alarm",
    service="cloudwatch",
    scope="regional",
    permissions=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    id_field="AlarmArn",
    name_field="AlarmName",
    custodian=("alarm",),
)
class AlarmConnector(Connector):
    """Metric and composite alarms from one paged DescribeAlarms; tags per alarm."""

    config_shape = ConfigShape(api=("cloudwatch", "MetricAlarm"), attributes=("AlarmType", "Tags"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every alarm of the region, each marked with its AlarmType."""
        pages = (
            scope.client("cloudwatch")
            .get_paginator("describe_alarms")
            .paginate(AlarmTypes=[kind for _, kind in _KINDS])
        )
        return [
            {**alarm, "AlarmType": kind}
            for page in pages
            for key, kind in _KINDS
            for alarm in page.get(key, [])
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The alarm with its tags; None when it was deleted since the listing."""
        tagged = optional(
            scope.client("cloudwatch").list_tags_for_resource,
            missing=_GONE,
            ResourceARN=resource["AlarmArn"],
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        config = alarm_config(resource, tags)
        return DiscoveredAsset(
            asset_id=config["AlarmArn"],
            name=config["AlarmName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
