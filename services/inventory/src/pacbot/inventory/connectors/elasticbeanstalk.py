"""Elastic Beanstalk environments: health reporting, managed updates, log streaming, IMDSv1.

Only named options are read from an environment's configuration: the rest of its option
settings include environment properties, where applications keep database passwords and keys.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Status and health move on their own; the rest of the description is configuration.
_DROPPED = frozenset(
    {"Status", "Health", "HealthStatus", "AbortableOperationInProgress", "OperationsRole"}
)
_OPTIONS: dict[str, tuple[str, str]] = {
    "HealthReportingSystemType": ("aws:elasticbeanstalk:healthreporting:system", "SystemType"),
    "ManagedActionsEnabled": ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled"),
    "ManagedUpdateLevel": ("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel"),
    "StreamLogs": ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs"),
    "LogRetentionInDays": ("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays"),
    "DisableIMDSv1": ("aws:autoscaling:launchconfiguration", "DisableIMDSv1"),
}
_BOOLEANS = frozenset({"ManagedActionsEnabled", "StreamLogs", "DisableIMDSv1"})
_GONE = ("ResourceNotFoundException",)


class EnvironmentGone(Exception):
    """The environment was terminated between the listing and its description."""


def chosen_options(option_settings: list[dict[str, Any]]) -> dict[str, Any]:
    """The named options (None where the environment has no value), booleans and ints typed."""
    values = {(o.get("Namespace"), o.get("OptionName")): o.get("Value") for o in option_settings}
    chosen: dict[str, Any] = {}
    for field, key in _OPTIONS.items():
        value = values.get(key)
        if value is not None and field in _BOOLEANS:
            chosen[field] = str(value).lower() == "true"
        elif value is not None and field == "LogRetentionInDays":
            chosen[field] = int(value)
        else:
            chosen[field] = value
    return chosen


def environment_config(
    environment: dict[str, Any], option_settings: list[dict[str, Any]], tags: dict[str, str]
) -> dict[str, Any]:
    """DescribeEnvironments' item without status, plus the named configuration options."""
    config: dict[str, Any] = plain({k: v for k, v in environment.items() if k not in _DROPPED})
    config.update(chosen_options(option_settings))
    config["Tags"] = tags
    return config


def _option_settings(client: Any, environment: dict[str, Any]) -> list[dict[str, Any]]:
    """The environment's option settings; EnvironmentGone when it no longer exists."""
    try:
        answer = client.describe_configuration_settings(
            ApplicationName=environment["ApplicationName"],
            EnvironmentName=environment["EnvironmentName"],
        )
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if error_code(exc) == "InvalidParameterValue" and "No Environment found" in message:
            raise EnvironmentGone(environment["EnvironmentName"]) from exc
        raise
    settings = answer.get("ConfigurationSettings") or [{}]
    options: list[dict[str, Any]] = settings[0].get("OptionSettings") or []
    return options


@connector(
    "aws.elasticbeanstalk.environment",
    service="elasticbeanstalk",
    scope="regional",
    permissions=(
        "elasticbeanstalk:DescribeEnvironments",
        "elasticbeanstalk:DescribeConfigurationSettings",
        "elasticbeanstalk:ListTagsForResource",
    ),
    id_field="EnvironmentArn",
    name_field="EnvironmentName",
    custodian=("elasticbeanstalk-environment",),
)
class EnvironmentConnector(Connector):
    """Live environments from DescribeEnvironments; per environment its options and tags."""

    config_shape = ConfigShape(
        api=("elasticbeanstalk", "EnvironmentDescription"),
        attributes=(
            "DisableIMDSv1",
            "HealthReportingSystemType",
            "LogRetentionInDays",
            "ManagedActionsEnabled",
            "ManagedUpdateLevel",
            "StreamLogs",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every environment of the region that is not terminated."""
        return paginate(
            scope.client("elasticbeanstalk"),
            "describe_environments",
            "Environments",
            IncludeDeleted=False,
        )

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The environment with its named options and tags; None when it was terminated."""
        client = scope.client("elasticbeanstalk")
        arn: str = resource["EnvironmentArn"]
        try:
            options = _option_settings(client, resource)
        except EnvironmentGone:
            return None
        tagged = optional(client.list_tags_for_resource, missing=_GONE, ResourceArn=arn)
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("ResourceTags"))
        config = environment_config(resource, options, tags)
        return DiscoveredAsset(
            asset_id=arn,
            name=config["EnvironmentName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
