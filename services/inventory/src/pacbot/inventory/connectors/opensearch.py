"""OpenSearch domains: encryption, HTTPS/TLS, VPC placement, fine-grained access and logs."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, plain, policy_document
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Processing flags and software-update offers move on their own.
_DROPPED = frozenset(
    {
        "Created",
        "Deleted",
        "Processing",
        "UpgradeProcessing",
        "ServiceSoftwareOptions",
        "DomainProcessingStatus",
        "ModifyingProperties",
    }
)
_BATCH = 5  # DescribeDomains accepts at most five names


def domain_config(domain: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """DescribeDomains' status as a config document with the access policy decoded."""
    config: dict[str, Any] = plain({k: v for k, v in domain.items() if k not in _DROPPED})
    config["AccessPolicies"] = policy_document(domain.get("AccessPolicies") or None)
    for key in ("VPCOptions", "LogPublishingOptions", "AdvancedSecurityOptions"):
        config.setdefault(key, None)
    vpc = config.get("VPCOptions")
    if vpc:
        for key in ("SubnetIds", "SecurityGroupIds", "AvailabilityZones"):
            if isinstance(vpc.get(key), list):
                vpc[key] = sorted(vpc[key])
    config["Tags"] = tags
    return config


@connector(
    "aws.opensearch.domain",
    custodian=("elasticsearch", "opensearch"),
    service="opensearch",
    scope="regional",
    permissions=("es:ListDomainNames", "es:DescribeDomains", "es:ListTags"),
    id_field="ARN",
    name_field="DomainName",
)
class OpenSearchDomainConnector(Connector):
    """Domains from ListDomainNames + DescribeDomains in batches of five; tags per domain."""

    config_shape = ConfigShape(api=("opensearch", "DomainStatus"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every live domain of the region, fully described."""
        client = scope.client("opensearch")
        names = sorted(d["DomainName"] for d in client.list_domain_names().get("DomainNames", []))
        domains: list[dict[str, Any]] = []
        for start in range(0, len(names), _BATCH):
            batch = names[start : start + _BATCH]
            domains.extend(client.describe_domains(DomainNames=batch).get("DomainStatusList", []))
        return [d for d in domains if not d.get("Deleted")]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Tags of the domain; None when it was deleted since the listing."""
        tagged = optional(
            scope.client("opensearch").list_tags,
            missing=("ResourceNotFoundException",),
            ARN=resource["ARN"],
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("TagList"))
        config = domain_config(resource, tags)
        return DiscoveredAsset(
            asset_id=config["ARN"],
            name=config["DomainName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
