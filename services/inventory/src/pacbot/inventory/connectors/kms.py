"""KMS customer-managed keys with rotation status, key policy, aliases and tags."""

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

_AWS_ALIAS = "alias/aws/"


@connector(
    "aws.kms.key",
    custodian=("kms-key",),
    service="kms",
    scope="regional",
    permissions=(
        "kms:ListKeys",
        "kms:ListAliases",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetKeyPolicy",
        "kms:ListResourceTags",
    ),
    id_field="Arn",
    name_field="KeyId",
)
class KmsKeyConnector(Connector):
    """Customer-managed KMS keys; AWS-managed keys are skipped (by alias, then by KeyManager)."""

    config_shape = ConfigShape(
        api=("kms", "KeyMetadata"),
        attributes=("Aliases", "KeyRotationEnabled", "Policy", "RotationPeriodInDays", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListKeys with every key's aliases from one ListAliases; aws/* aliased keys dropped."""
        kms = scope.client("kms")
        aliases: dict[str, list[str]] = {}
        for alias in paginate(kms, "list_aliases", "Aliases"):
            if alias.get("TargetKeyId"):
                aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
        keys = paginate(kms, "list_keys", "Keys")
        return [
            {**key, "Aliases": sorted(aliases.get(key["KeyId"], []))}
            for key in keys
            if not any(a.startswith(_AWS_ALIAS) for a in aliases.get(key["KeyId"], []))
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Metadata, rotation, default policy and tags; None if gone or not customer-managed."""
        kms = scope.client("kms")
        key_id: str = resource["KeyId"]
        try:
            meta: dict[str, Any] = kms.describe_key(KeyId=key_id)["KeyMetadata"]
            if meta.get("KeyManager") != "CUSTOMER":
                return None
            rotation = self._rotation(kms, meta)
            policy = kms.get_key_policy(KeyId=key_id, PolicyName="default").get("Policy")
            tags = flatten_tags(paginate(kms, "list_resource_tags", "Tags", KeyId=key_id))
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                return None
            raise
        for listed in ("EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms"):
            if listed in meta:
                meta[listed] = sorted(meta[listed])
        config = plain(
            {
                **meta,
                "Aliases": resource.get("Aliases", []),
                "KeyRotationEnabled": rotation.get("KeyRotationEnabled"),
                "RotationPeriodInDays": rotation.get("RotationPeriodInDays"),
                "Policy": policy_document(policy),
                "Tags": tags,
            }
        )
        return DiscoveredAsset(
            asset_id=meta["Arn"], name=key_id, region=scope.region, config=config, tags=tags
        )

    @staticmethod
    def _rotation(kms: Any, meta: dict[str, Any]) -> dict[str, Any]:
        """GetKeyRotationStatus, only for symmetric keys with KMS-generated material."""
        if meta.get("KeySpec") != "SYMMETRIC_DEFAULT" or meta.get("Origin") != "AWS_KMS":
            return {}
        status: dict[str, Any] = kms.get_key_rotation_status(KeyId=meta["KeyId"])
        return status
