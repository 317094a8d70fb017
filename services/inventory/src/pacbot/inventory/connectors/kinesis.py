"""Kinesis data streams: server-side encryption and the retention period."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    paginate,
    paginate_after_last,
    plain,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_GONE = "ResourceNotFoundException"
# Status, shard and consumer counts move with resharding and consumers, not configuration.
_DROPPED = frozenset({"StreamStatus", "OpenShardCount", "ConsumerCount"})


def stream_tags(kinesis: Any, name: str) -> list[dict[str, Any]]:
    """Every tag of a stream (ListTagsForStream pages by the last key it returned)."""
    return paginate_after_last(
        kinesis.list_tags_for_stream,
        "Tags",
        "HasMoreTags",
        "ExclusiveStartTagKey",
        lambda tag: tag["Key"],
        StreamName=name,
    )


def stream_config(summary: dict[str, Any], tags: list[dict[str, Any]]) -> dict[str, Any]:
    """DescribeStreamSummary without its moving counters; encryption fields always present."""
    config: dict[str, Any] = plain({k: v for k, v in summary.items() if k not in _DROPPED})
    config["EncryptionType"] = summary.get("EncryptionType") or "NONE"
    config.setdefault("KeyId", None)
    config["EnhancedMonitoring"] = sorted(
        {m for entry in summary.get("EnhancedMonitoring", []) for m in entry["ShardLevelMetrics"]}
    )
    config["Tags"] = flatten_tags(tags)
    return config


@connector(
    "aws.kinesis.stream",
    service="kinesis",
    scope="regional",
    permissions=(
        "kinesis:ListStreams",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListTagsForStream",
    ),
    id_field="StreamARN",
    name_field="StreamName",
    custodian=("kinesis",),
)
class KinesisStreamConnector(Connector):
    """Data streams: encryption type and key, retention hours, capacity mode and tags."""

    config_shape = ConfigShape(api=("kinesis", "StreamDescription"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every stream of the region (ListStreams' summaries)."""
        return paginate(scope.client("kinesis"), "list_streams", "StreamSummaries")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """DescribeStreamSummary and the stream's tags; None when it was deleted meanwhile."""
        kinesis = scope.client("kinesis")
        name: str = resource["StreamName"]
        try:
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            tags = stream_tags(kinesis, name)
        except ClientError as exc:
            if error_code(exc) == _GONE:
                return None
            raise
        config = stream_config(summary, tags)
        return DiscoveredAsset(
            asset_id=config["StreamARN"],
            name=name,
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
