"""Systems Manager parameters (type and KMS key, never values) and documents (sharing)."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Who or what last wrote a parameter is not its configuration (its version is).
_PARAMETER_DROPPED = frozenset({"LastModifiedUser", "ARN"})
_PARAMETER_GONE = ("InvalidResourceId", "ParameterNotFound")
_DOCUMENT_GONE = ("InvalidDocument",)
PUBLIC_ACCOUNT = "all"
"""The account id DescribeDocumentPermission lists when a document is shared publicly."""


def parameter_arn(scope: Scope, name: str) -> str:
    """The parameter's ARN (a hierarchical name keeps its leading slash once)."""
    return f"arn:aws:ssm:{scope.region}:{scope.account_id}:parameter/{name.lstrip('/')}"


def parameter_config(parameter: dict[str, Any], arn: str, tags: dict[str, str]) -> dict[str, Any]:
    """DescribeParameters' metadata (no value) with the ARN, KeyId null for plain types."""
    config: dict[str, Any] = plain(
        {k: v for k, v in parameter.items() if k not in _PARAMETER_DROPPED}
    )
    config["ARN"] = arn
    config.setdefault("KeyId", None)
    config["Policies"] = sorted(
        (p.get("PolicyText", "") for p in parameter.get("Policies") or []), key=str
    )
    config["Tags"] = tags
    return config


@connector(
    "aws.ssm.parameter",
    custodian=("ssm-parameter",),
    service="ssm",
    scope="regional",
    permissions=("ssm:DescribeParameters", "ssm:ListTagsForResource"),
    id_field="ARN",
    name_field="Name",
)
class SsmParameterConnector(Connector):
    """Parameters from a paged DescribeParameters (metadata only: values are never read)."""

    config_shape = ConfigShape(api=("ssm", "ParameterMetadata"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every parameter of the region."""
        return paginate(scope.client("ssm"), "describe_parameters", "Parameters")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The parameter's tags; None when it was deleted since the listing."""
        name: str = resource["Name"]
        tagged = optional(
            scope.client("ssm").list_tags_for_resource,
            _PARAMETER_GONE,
            ResourceType="Parameter",
            ResourceId=name,
        )
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("TagList"))
        arn = resource.get("ARN") or parameter_arn(scope, name)
        config = parameter_config(resource, arn, tags)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )


def document_config(document: dict[str, Any], arn: str, shared_with: list[str]) -> dict[str, Any]:
    """ListDocuments' identifier with the ARN, the accounts it is shared with, and ``Public``."""
    config: dict[str, Any] = plain({k: v for k, v in document.items() if k != "Tags"})
    config["Arn"] = arn
    config["PlatformTypes"] = sorted(document.get("PlatformTypes") or [])
    config["SharedWithAccounts"] = sorted(shared_with)
    config["Public"] = PUBLIC_ACCOUNT in shared_with
    config["Tags"] = flatten_tags(document.get("Tags"))
    return config


def shared_with(client: Any, name: str) -> list[str] | None:
    """Every account id the document is shared with (all pages); None when it is gone."""
    accounts: list[str] = []
    token: dict[str, str] = {}
    while True:
        page = optional(
            client.describe_document_permission,
            _DOCUMENT_GONE,
            Name=name,
            PermissionType="Share",
            **token,
        )
        if page is None:
            return None
        accounts += page.get("AccountIds") or []
        if not page.get("NextToken"):
            return accounts
        token = {"NextToken": page["NextToken"]}


@connector(
    "aws.ssm.document",
    custodian=("ssm-document",),
    service="ssm",
    scope="regional",
    permissions=("ssm:ListDocuments", "ssm:DescribeDocumentPermission"),
    id_field="Arn",
    name_field="Name",
)
class SsmDocumentConnector(Connector):
    """The account's own documents (ListDocuments, Owner=Self, tags included) and their sharing."""

    config_shape = ConfigShape(
        api=("ssm", "DocumentIdentifier"),
        attributes=("Arn", "Public", "SharedWithAccounts"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every document the account owns in the region (not Amazon's or others' shared ones)."""
        return paginate(
            scope.client("ssm"),
            "list_documents",
            "DocumentIdentifiers",
            Filters=[{"Key": "Owner", "Values": ["Self"]}],
        )

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The accounts the document is shared with; None when it was deleted meanwhile."""
        name: str = resource["Name"]
        shared = shared_with(scope.client("ssm"), name)
        if shared is None:
            return None
        arn = f"arn:aws:ssm:{scope.region}:{scope.account_id}:document/{name}"
        config = document_config(resource, arn, shared)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=config["Tags"]
        )
