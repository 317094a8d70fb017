"""SQS queues: access policy, server-side encryption and dead-letter (redrive) settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    iso_utc,
    optional,
    paginate,
    policy_document,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_JSON_ATTRIBUTES = ("RedrivePolicy", "RedriveAllowPolicy")
_TIMESTAMPS = ("CreatedTimestamp", "LastModifiedTimestamp")
_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def _value(text: str) -> Any:
    """An attribute string as the boolean or integer it encodes, else unchanged."""
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.isdigit() else text


def queue_config(url: str, attributes: dict[str, str], tags: dict[str, str]) -> dict[str, Any]:
    """GetQueueAttributes as a config document; the approximate message counts stay out."""
    config: dict[str, Any] = {
        k: _value(v) for k, v in attributes.items() if not k.startswith("Approximate")
    }
    config["QueueUrl"] = url
    config["QueueName"] = attributes["QueueArn"].rsplit(":", 1)[-1]
    config["Policy"] = policy_document(attributes.get("Policy") or None)
    for key in _JSON_ATTRIBUTES:
        if key in config:
            config[key] = json.loads(attributes[key]) if attributes[key] else None
    for key in _TIMESTAMPS:
        if key in attributes:
            config[key] = iso_utc(datetime.fromtimestamp(float(attributes[key]), UTC))
    config.setdefault("KmsMasterKeyId", None)
    config.setdefault("SqsManagedSseEnabled", False)
    config.setdefault("RedrivePolicy", None)
    config["Tags"] = tags
    return config


def _source_queues(client: Any, url: str) -> list[str] | None:
    """Names of the queues whose redrive policy targets this one (it is their dead-letter
    queue); None when the queue was deleted since the listing."""
    try:
        urls = paginate(client, "list_dead_letter_source_queues", "queueUrls", QueueUrl=url)
    except ClientError as exc:
        if error_code(exc) in _GONE:
            return None
        raise
    return sorted(u.rstrip("/").rsplit("/", 1)[-1] for u in urls)


@connector(
    "aws.sqs.queue",
    custodian=("sqs",),
    service="sqs",
    scope="regional",
    permissions=(
        "sqs:ListQueues",
        "sqs:GetQueueAttributes",
        "sqs:ListQueueTags",
        "sqs:ListDeadLetterSourceQueues",
    ),
    id_field="QueueArn",
    name_field="QueueName",
)
class SqsQueueConnector(Connector):
    """Queues from a paged ListQueues; attributes and tags per queue (no batch API exists)."""

    config_shape = ConfigShape(
        attributes=(
            "ContentBasedDeduplication",
            "CreatedTimestamp",
            "DeadLetterSourceQueues",
            "DeduplicationScope",
            "DelaySeconds",
            "FifoQueue",
            "FifoThroughputLimit",
            "KmsDataKeyReusePeriodSeconds",
            "KmsMasterKeyId",
            "LastModifiedTimestamp",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "Policy",
            "QueueArn",
            "QueueName",
            "QueueUrl",
            "ReceiveMessageWaitTimeSeconds",
            "RedriveAllowPolicy",
            "RedrivePolicy",
            "SqsManagedSseEnabled",
            "Tags",
            "VisibilityTimeout",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every queue URL of the region."""
        return [
            {"QueueUrl": url} for url in paginate(scope.client("sqs"), "list_queues", "QueueUrls")
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """All queue attributes and tags; None when the queue was deleted since the listing."""
        client = scope.client("sqs")
        url: str = resource["QueueUrl"]
        answer = optional(
            client.get_queue_attributes, missing=_GONE, QueueUrl=url, AttributeNames=["All"]
        )
        tagged = optional(client.list_queue_tags, missing=_GONE, QueueUrl=url)
        sources = _source_queues(client, url)
        if answer is None or tagged is None or sources is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        config = queue_config(url, answer.get("Attributes", {}), tags)
        config["DeadLetterSourceQueues"] = sources
        return DiscoveredAsset(
            asset_id=config["QueueArn"],
            name=config["QueueName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
