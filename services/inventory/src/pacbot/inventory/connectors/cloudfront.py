"""CloudFront distributions: viewer protocols, TLS floor, logging, WAF and origin access."""

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

_GONE = ("NoSuchDistribution", "NoSuchResource")


def viewer_protocol_policies(config: dict[str, Any]) -> list[str]:
    """The distinct ViewerProtocolPolicy of the default and every ordered cache behaviour."""
    behaviours = [config.get("DefaultCacheBehavior") or {}]
    behaviours += (config.get("CacheBehaviors") or {}).get("Items") or []
    return sorted({b["ViewerProtocolPolicy"] for b in behaviours if "ViewerProtocolPolicy" in b})


def distribution_config(
    summary: dict[str, Any], settings: dict[str, Any], tags: dict[str, str]
) -> dict[str, Any]:
    """Id, ARN and domain from the listing, the full DistributionConfig, and derived protocols."""
    config: dict[str, Any] = {
        "Id": summary["Id"],
        "ARN": summary["ARN"],
        "DomainName": summary["DomainName"],
        "LastModifiedTime": summary.get("LastModifiedTime"),
        **settings,
    }
    config = plain(config)
    config["ViewerProtocolPolicies"] = viewer_protocol_policies(config)
    config["Tags"] = tags
    return config


@connector(
    "aws.cloudfront.distribution",
    custodian=("distribution",),
    service="cloudfront",
    scope="global",
    permissions=(
        "cloudfront:ListDistributions",
        "cloudfront:GetDistributionConfig",
        "cloudfront:ListTagsForResource",
    ),
    id_field="ARN",
    name_field="DomainName",
)
class CloudFrontDistributionConnector(Connector):
    """Distributions (global) from a paged ListDistributions; config (for Logging) and tags each."""

    config_shape = ConfigShape(
        api=("cloudfront", "DistributionSummary"),
        attributes=(
            "CallerReference",
            "DefaultRootObject",
            "Logging",
            "Tags",
            "ViewerProtocolPolicies",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every distribution summary of the account."""
        paginator = scope.client("cloudfront").get_paginator("list_distributions")
        items: list[dict[str, Any]] = []
        for page in paginator.paginate():
            items.extend(page.get("DistributionList", {}).get("Items") or [])
        return items

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """GetDistributionConfig (the listing lacks Logging) and tags; None when deleted."""
        client = scope.client("cloudfront")
        answer = optional(client.get_distribution_config, missing=_GONE, Id=resource["Id"])
        tagged = optional(client.list_tags_for_resource, missing=_GONE, Resource=resource["ARN"])
        if answer is None or tagged is None:
            return None
        tags = flatten_tags((tagged.get("Tags") or {}).get("Items"))
        config = distribution_config(resource, answer["DistributionConfig"], tags)
        return DiscoveredAsset(
            asset_id=config["ARN"],
            name=config["DomainName"],
            region="global",
            config=config,
            tags=tags,
        )
