"""Step Functions state machines: execution logging, X-Ray tracing and encryption of their data."""

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

# The definition is workflow code, not configuration, and may carry literal parameters (keys,
# URLs with credentials); revisionId changes with it.
_DROPPED = frozenset({"definition", "revisionId", "ResponseMetadata"})
_GONE = ("StateMachineDoesNotExist", "ResourceNotFound", "InvalidArn")
_LOGGING_OFF = {"level": "OFF", "includeExecutionData": False, "destinations": []}


def state_machine_config(described: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """DescribeStateMachine without the definition; logging, tracing and encryption always set."""
    config: dict[str, Any] = plain({k: v for k, v in described.items() if k not in _DROPPED})
    logging = {**_LOGGING_OFF, **config.get("loggingConfiguration", {})}
    logging["destinations"] = canonical(logging["destinations"])
    config["loggingConfiguration"] = logging
    config["tracingConfiguration"] = {
        "enabled": bool(config.get("tracingConfiguration", {}).get("enabled"))
    }
    config.setdefault("encryptionConfiguration", {"type": "AWS_OWNED_KEY"})
    config["Tags"] = tags
    return config


@connector(
    "aws.stepfunctions.state_machine",
    service="stepfunctions",
    scope="regional",
    permissions=(
        "states:ListStateMachines",
        "states:DescribeStateMachine",
        "states:ListTagsForResource",
    ),
    id_field="stateMachineArn",
    name_field="name",
    custodian=("step-machine",),
)
class StateMachineConnector(Connector):
    """State machines from a paged listing; each described and its tags read (two calls)."""

    config_shape = ConfigShape(
        api=("stepfunctions", "DescribeStateMachineOutput"),
        attributes=("Tags",),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every state machine of the region (ARN, name, type)."""
        return paginate(scope.client("stepfunctions"), "list_state_machines", "stateMachines")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Logging, tracing, encryption and role; None when deleted since the listing."""
        client = scope.client("stepfunctions")
        arn: str = resource["stateMachineArn"]
        described = optional(client.describe_state_machine, missing=_GONE, stateMachineArn=arn)
        tagged = optional(client.list_tags_for_resource, missing=_GONE, resourceArn=arn)
        if described is None or tagged is None:
            return None
        tags = flatten_tags(tagged.get("tags"))
        config = state_machine_config(described, tags)
        return DiscoveredAsset(
            asset_id=arn, name=config["name"], region=scope.region, config=config, tags=tags
        )
