"""Lambda functions: runtime, role, resource policy, function URL, tracing (env var names only)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    paginate,
    plain,
    policy_document,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Lifecycle states move without a configuration change; Environment carries secret values.
_DROPPED = frozenset(
    {
        "Environment",
        "State",
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatus",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
    }
)


class FunctionGone(Exception):
    """The function was deleted between the listing and its description."""


def _sub_resource(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    """A function sub-resource, None when absent; FunctionGone when the function itself is."""
    try:
        response: dict[str, Any] = call(**kwargs)
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
        if "Function not found" in str(exc):
            raise FunctionGone(kwargs.get("FunctionName")) from exc
        return None
    response.pop("ResponseMetadata", None)
    return response


def function_config(
    function: dict[str, Any],
    policy: dict[str, Any] | None,
    url: dict[str, Any] | None,
    tags: dict[str, str],
) -> dict[str, Any]:
    """The config document of one function; environment variable values never enter it."""
    config: dict[str, Any] = plain({k: v for k, v in function.items() if k not in _DROPPED})
    variables = (function.get("Environment") or {}).get("Variables") or {}
    config["EnvironmentVariableNames"] = sorted(variables)
    config["Policy"] = policy_document(policy["Policy"]) if policy else None
    config["FunctionUrlConfig"] = (
        plain({k: v for k, v in url.items() if k != "FunctionArn"}) if url else None
    )
    config["Tags"] = tags
    return config


@connector(
    "aws.lambda.function",
    custodian=("lambda",),
    service="lambda",
    scope="regional",
    permissions=(
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "lambda:GetFunctionUrlConfig",
        "lambda:ListTags",
    ),
    id_field="FunctionArn",
    name_field="FunctionName",
    fills={"policy": ("Policy",), "url": ("FunctionUrlConfig",), "tags": ("Tags",)},
)
class LambdaFunctionConnector(Connector):
    """Functions from a paged ListFunctions, plus policy, function URL and tags per function."""

    config_shape = ConfigShape(
        api=("lambda", "FunctionConfiguration"),
        attributes=("EnvironmentVariableNames", "FunctionUrlConfig", "Policy", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every function's $LATEST configuration in the region."""
        return paginate(scope.client("lambda"), "list_functions", "Functions")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Resource policy (null when none), function URL config (null when none) and tags."""
        client = scope.client("lambda")
        name: str = resource["FunctionName"]
        arn: str = resource["FunctionArn"]
        try:
            policy = url = tagged = None
            if self.wants("policy"):
                policy = _sub_resource(client.get_policy, FunctionName=name)
            if self.wants("url"):
                url = _sub_resource(client.get_function_url_config, FunctionName=name)
            if self.wants("tags"):
                tagged = _sub_resource(client.list_tags, Resource=arn)
        except FunctionGone:
            return None
        tags = flatten_tags((tagged or {}).get("Tags"))
        config = function_config(resource, policy, url, tags)
        for call, attrs in self.meta.fills:  # what was not asked is left out, not null
            if not self.wants(call):
                for attr in attrs:
                    del config[attr]
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )
