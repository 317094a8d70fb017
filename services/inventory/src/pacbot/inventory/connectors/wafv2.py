"""WAFv2 web ACLs: rules, default action, CloudWatch metrics and logging.

Regional web ACLs are swept in their region; CloudFront web ACLs (scope ``CLOUDFRONT``) exist
only in us-east-1 and are swept with that region.
"""

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

CLOUDFRONT_REGION = "us-east-1"
_GONE = ("WAFNonexistentItemException",)


def _pages(client: Any, scope_name: str) -> list[dict[str, Any]]:
    """Every web ACL summary of one scope (ListWebACLs pages by NextMarker, no paginator)."""
    acls: list[dict[str, Any]] = []
    marker: dict[str, str] = {}
    while True:
        answer = client.list_web_acls(Scope=scope_name, Limit=100, **marker)
        acls += [{**acl, "Scope": scope_name} for acl in answer.get("WebACLs", [])]
        if not answer.get("NextMarker") or not answer.get("WebACLs"):
            return acls
        marker = {"NextMarker": answer["NextMarker"]}


def _tags(client: Any, arn: str) -> dict[str, str] | None:
    """Every tag of the web ACL (all pages); None when it is gone."""
    tags: list[dict[str, Any]] = []
    marker: dict[str, str] = {}
    while True:
        answer = optional(client.list_tags_for_resource, _GONE, ResourceARN=arn, **marker)
        if answer is None:
            return None
        tags += (answer.get("TagInfoForResource") or {}).get("TagList") or []
        if not answer.get("NextMarker"):
            return flatten_tags(tags)
        marker = {"NextMarker": answer["NextMarker"]}


def web_acl_config(
    acl: dict[str, Any], scope_name: str, logging: dict[str, Any] | None, tags: dict[str, str]
) -> dict[str, Any]:
    """GetWebACL's ACL (no lock token), rules by priority, its scope and logging configuration."""
    config: dict[str, Any] = plain(acl)
    config["Scope"] = scope_name
    config["Rules"] = sorted(config.get("Rules") or [], key=lambda r: int(r.get("Priority", 0)))
    config["LoggingConfiguration"] = (
        plain({k: v for k, v in logging.items() if k != "ResourceArn"}) if logging else None
    )
    config["Tags"] = tags
    return config


@connector(
    "aws.wafv2.web_acl",
    custodian=("wafv2",),
    service="wafv2",
    scope="regional",
    permissions=(
        "wafv2:ListWebACLs",
        "wafv2:GetWebACL",
        "wafv2:GetLoggingConfiguration",
        "wafv2:ListTagsForResource",
    ),
    id_field="ARN",
    name_field="Name",
)
class WafV2WebAclConnector(Connector):
    """Web ACLs from ListWebACLs (REGIONAL, plus CLOUDFRONT in us-east-1); ACL, logging and tags."""

    config_shape = ConfigShape(
        api=("wafv2", "WebACL"),
        attributes=("LoggingConfiguration", "Scope", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every web ACL summary of the region, each with the scope it was listed under."""
        client = scope.client("wafv2")
        acls = _pages(client, "REGIONAL")
        if scope.region == CLOUDFRONT_REGION:
            acls += _pages(client, "CLOUDFRONT")
        return acls

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The full ACL, its logging configuration and tags; None when it was deleted meanwhile."""
        client = scope.client("wafv2")
        scope_name: str = resource["Scope"]
        answer = optional(
            client.get_web_acl,
            _GONE,
            Name=resource["Name"],
            Id=resource["Id"],
            Scope=scope_name,
        )
        tags = _tags(client, resource["ARN"]) if answer else None
        if answer is None or tags is None:
            return None
        logging = optional(client.get_logging_configuration, _GONE, ResourceArn=resource["ARN"])
        config = web_acl_config(
            answer["WebACL"],
            scope_name,
            logging.get("LoggingConfiguration") if logging else None,
            tags,
        )
        return DiscoveredAsset(
            asset_id=config["ARN"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=tags,
        )
