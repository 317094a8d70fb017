"""SNS topics: access policy, encryption key, delivery policy and subscription counts."""

from __future__ import annotations

import json
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, policy_document
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_JSON_ATTRIBUTES = ("DeliveryPolicy", "EffectiveDeliveryPolicy", "DataProtectionPolicy")
_COUNTS = ("SubscriptionsConfirmed", "SubscriptionsPending")
# Deleted subscriptions linger for a while and then vanish on their own: not configuration.
_DROPPED = frozenset({"SubscriptionsDeleted"})


def topic_config(attributes: dict[str, str], tags: dict[str, str]) -> dict[str, Any]:
    """GetTopicAttributes as a config document: policies decoded, counts as numbers."""
    config: dict[str, Any] = {k: v for k, v in attributes.items() if k not in _DROPPED}
    config["Name"] = attributes["TopicArn"].rsplit(":", 1)[-1]
    config["Policy"] = policy_document(attributes.get("Policy") or None)
    for key in _JSON_ATTRIBUTES:
        if key in config:
            config[key] = json.loads(config[key]) if config[key] else None
    for key in _COUNTS:
        if key in config:
            config[key] = int(config[key])
    config.setdefault("KmsMasterKeyId", None)
    config["Tags"] = tags
    return config


@connector(
    "aws.sns.topic",
    custodian=("sns",),
    service="sns",
    scope="regional",
    permissions=("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
    id_field="TopicArn",
    name_field="Name",
)
class SnsTopicConnector(Connector):
    """Topics from a paged ListTopics; attributes and tags per topic (no batch API exists)."""

    config_shape = ConfigShape(
        attributes=(
            "ArchivePolicy",
            "BeginningArchiveTime",
            "ContentBasedDeduplication",
            "DataProtectionPolicy",
            "DeliveryPolicy",
            "DisplayName",
            "EffectiveDeliveryPolicy",
            "FifoThroughputScope",
            "FifoTopic",
            "KmsMasterKeyId",
            "Name",
            "Owner",
            "Policy",
            "SignatureVersion",
            "SubscriptionsConfirmed",
            "SubscriptionsPending",
            "Tags",
            "TopicArn",
            "TracingConfig",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every topic ARN of the region."""
        return paginate(scope.client("sns"), "list_topics", "Topics")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Topic attributes and tags; None when the topic was deleted since the listing."""
        client = scope.client("sns")
        arn: str = resource["TopicArn"]
        gone = ("NotFound", "NotFoundException", "ResourceNotFound", "ResourceNotFoundException")
        answer = optional(client.get_topic_attributes, missing=gone, TopicArn=arn)
        tagged = optional(client.list_tags_for_resource, missing=gone, ResourceArn=arn)
        if answer is None or tagged is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        config = topic_config(answer.get("Attributes", {}), tags)
        return DiscoveredAsset(
            asset_id=arn, name=config["Name"], region=scope.region, config=config, tags=tags
        )
