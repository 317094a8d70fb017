"""API Gateway REST APIs: endpoint type, resource policy and per-stage logging/tracing/WAF."""

from __future__ import annotations

import json
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_LOGGING_LEVELS = frozenset({"INFO", "ERROR"})
# The cache cluster status moves on its own; stage tags stay as the API returns them.
_STAGE_DROPPED = frozenset({"cacheClusterStatus"})


def rest_api_policy(value: str | None) -> dict[str, Any] | None:
    """The resource policy; API Gateway returns it as JSON with its quotes escaped."""
    if not value:
        return None
    try:
        document: dict[str, Any] = json.loads(value)
    except json.JSONDecodeError:
        document = json.loads(value.replace('\\"', '"'))
    return document


def stage_config(stage: dict[str, Any]) -> dict[str, Any]:
    """One stage with derived `ExecutionLogging` and `AccessLogging` flags."""
    config: dict[str, Any] = plain({k: v for k, v in stage.items() if k not in _STAGE_DROPPED})
    settings = (config.get("methodSettings") or {}).values()
    config["ExecutionLogging"] = any(s.get("loggingLevel") in _LOGGING_LEVELS for s in settings)
    config["AccessLogging"] = bool((config.get("accessLogSettings") or {}).get("destinationArn"))
    config.setdefault("tracingEnabled", False)
    config.setdefault("clientCertificateId", None)
    config.setdefault("webAclArn", None)
    return config


def rest_api_config(api: dict[str, Any], stages: list[dict[str, Any]], arn: str) -> dict[str, Any]:
    """GetRestApis' item (API casing) with the policy decoded, stages and flattened tags."""
    config: dict[str, Any] = plain({k: v for k, v in api.items() if k not in ("tags", "policy")})
    config["Arn"] = arn
    config["Policy"] = rest_api_policy(api.get("policy"))
    config.setdefault("minimumCompressionSize", None)
    config["Stages"] = sorted((stage_config(s) for s in stages), key=lambda s: s["stageName"])
    config["Tags"] = flatten_tags(api.get("tags"))
    return config


@connector(
    "aws.apigateway.rest_api",
    custodian=("rest-api",),
    service="apigateway",
    scope="regional",
    permissions=("apigateway:GET",),
    id_field="Arn",
    name_field="name",
)
class ApiGatewayRestApiConnector(Connector):
    """REST APIs from a paged GetRestApis (tags and policy included); GetStages per API."""

    config_shape = ConfigShape(
        api=("apigateway", "RestApi"),
        attributes=("Arn", "Policy", "Stages", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every REST API of the region."""
        return paginate(scope.client("apigateway"), "get_rest_apis", "items")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The API's stages; None when the API was deleted since the listing."""
        answer = optional(
            scope.client("apigateway").get_stages,
            missing=("NotFoundException",),
            restApiId=resource["id"],
        )
        if answer is None:
            return None
        arn = f"arn:aws:apigateway:{scope.region}::/restapis/{resource['id']}"
        config = rest_api_config(resource, answer.get("item", []), arn)
        return DiscoveredAsset(
            asset_id=arn,
            name=config["name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
