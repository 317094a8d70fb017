"""Secrets Manager secrets: rotation, encryption key and tags (never the secret value)."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Change with use or with every new value, not with the secret's configuration.
_VOLATILE = ("LastAccessedDate", "LastChangedDate", "SecretVersionsToStages")


@connector(
    "aws.secretsmanager.secret",
    custodian=("secrets-manager",),
    service="secretsmanager",
    scope="regional",
    permissions=("secretsmanager:ListSecrets",),
    id_field="ARN",
    name_field="Name",
)
class SecretsManagerSecretConnector(Connector):
    """Secrets from one paged ListSecrets, which already carries everything kept."""

    config_shape = ConfigShape(api=("secretsmanager", "SecretListEntry"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListSecrets (metadata only; the value is never read)."""
        return paginate(scope.client("secretsmanager"), "list_secrets", "SecretList")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed secret without volatile fields; no further calls."""
        tags = flatten_tags(resource.get("Tags"))
        config = plain(
            {
                **{k: v for k, v in resource.items() if k not in _VOLATILE},
                "RotationEnabled": bool(resource.get("RotationEnabled")),
                "RotationRules": resource.get("RotationRules"),
                "LastRotatedDate": resource.get("LastRotatedDate"),
                "KmsKeyId": resource.get("KmsKeyId"),
                "Tags": tags,
            }
        )
        return DiscoveredAsset(
            asset_id=resource["ARN"],
            name=resource["Name"],
            region=scope.region,
            config=config,
            tags=tags,
        )
