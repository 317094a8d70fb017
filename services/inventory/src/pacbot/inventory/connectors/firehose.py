"""Data Firehose delivery streams: server-side encryption, source and destinations."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
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
_DROPPED = frozenset({"DeliveryStreamStatus", "FailureDescription", "HasMoreDestinations"})
# Destination settings that are credentials; describe calls may return some of them.
_SECRET_KEYS = frozenset({"HECToken", "AccessKey", "Password", "PrivateKey", "KeyPassphrase"})


def _scrubbed(value: Any) -> Any:
    """``value`` with every credential-like key removed, at any depth."""
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items() if k not in _SECRET_KEYS}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def delivery_stream_config(
    description: dict[str, Any], tags: list[dict[str, Any]]
) -> dict[str, Any]:
    """The description without status and credentials; encryption settings always present."""
    config: dict[str, Any] = _scrubbed(
        plain({k: v for k, v in description.items() if k not in _DROPPED})
    )
    encryption = config.get("DeliveryStreamEncryptionConfiguration") or {}
    config["DeliveryStreamEncryptionConfiguration"] = encryption or None
    config["EncryptionEnabled"] = encryption.get("Status") == "ENABLED"
    config["Destinations"] = sorted(
        config.get("Destinations", []), key=lambda d: str(d.get("DestinationId"))
    )
    config["Tags"] = flatten_tags(tags)
    return config


@connector(
    "aws.firehose.delivery_stream",
    service="firehose",
    scope="regional",
    permissions=(
        "firehose:ListDeliveryStreams",
        "firehose:DescribeDeliveryStream",
        "firehose:ListTagsForDeliveryStream",
    ),
    id_field="DeliveryStreamARN",
    name_field="DeliveryStreamName",
    custodian=("firehose",),
)
class FirehoseDeliveryStreamConnector(Connector):
    """Delivery streams: encryption at rest, source type and destinations (credentials left out)."""

    config_shape = ConfigShape(
        api=("firehose", "DeliveryStreamDescription"),
        attributes=("EncryptionEnabled", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every delivery stream name of the region."""
        names = paginate_after_last(
            scope.client("firehose").list_delivery_streams,
            "DeliveryStreamNames",
            "HasMoreDeliveryStreams",
            "ExclusiveStartDeliveryStreamName",
            str,
        )
        return [{"DeliveryStreamName": n} for n in names]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """DescribeDeliveryStream and its tags; None when it was deleted since the listing."""
        firehose = scope.client("firehose")
        name: str = resource["DeliveryStreamName"]
        try:
            description = firehose.describe_delivery_stream(DeliveryStreamName=name)[
                "DeliveryStreamDescription"
            ]
            tags = paginate_after_last(
                firehose.list_tags_for_delivery_stream,
                "Tags",
                "HasMoreTags",
                "ExclusiveStartTagKey",
                lambda tag: tag["Key"],
                DeliveryStreamName=name,
            )
        except ClientError as exc:
            if error_code(exc) == _GONE:
                return None
            raise
        config = delivery_stream_config(description, tags)
        return DiscoveredAsset(
            asset_id=config["DeliveryStreamARN"],
            name=name,
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
