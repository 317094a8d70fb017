"""AWS Backup vaults (encryption key, access policy, vault lock) and backup plans (rules)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    optional,
    paginate,
    plain,
    policy_document,
)
from pacbot.inventory.connectors._listing import canonical
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# The recovery point count moves with every backup job; it is not configuration.
_VAULT_DROPPED = frozenset({"NumberOfRecoveryPoints"})
_MISSING = ("ResourceNotFoundException",)


def _arn_account(arn: str) -> str:
    """The account field of an ARN ('' when ``arn`` is not one)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def key_manager(scope: Scope, key_arn: str | None) -> str | None:
    """Who manages the vault's KMS key: ``CUSTOMER`` or ``AWS``; None when there is no key.

    AWS-managed keys (``aws/backup``) always live in the vault's own account, so a key of
    another account is customer-managed without asking KMS (which would deny the read).
    """
    if not key_arn:
        return None
    if _arn_account(key_arn) not in ("", scope.account_id):
        return "CUSTOMER"
    described = optional(scope.client("kms").describe_key, ("NotFoundException",), KeyId=key_arn)
    if described is None:
        return None
    return str(described["KeyMetadata"].get("KeyManager") or "CUSTOMER")


def access_policy(client: Any, vault_name: str) -> tuple[dict[str, Any] | None, str | None]:
    """The vault's access policy (None when it has none), and why it could not be read.

    AWS names every error; an endpoint answering a bare HTTP status (an emulator without the
    operation) cannot say whether a policy exists, which the second value records.
    """
    try:
        answer: dict[str, Any] = client.get_backup_vault_access_policy(BackupVaultName=vault_name)
    except ClientError as exc:
        code = error_code(exc)
        if code in _MISSING:
            return None, None
        if code.isdigit():
            return None, f"the endpoint does not implement GetBackupVaultAccessPolicy (HTTP {code})"
        raise
    return policy_document(answer.get("Policy")), None


def vault_config(
    vault: dict[str, Any],
    manager: str | None,
    policy: tuple[dict[str, Any] | None, str | None],
    tags: dict[str, str],
) -> dict[str, Any]:
    """ListBackupVaults' item with the key's manager, the decoded policy and vault lock flags."""
    config: dict[str, Any] = plain({k: v for k, v in vault.items() if k not in _VAULT_DROPPED})
    config.setdefault("EncryptionKeyArn", None)
    config["EncryptionKeyManager"] = manager
    config["Locked"] = bool(vault.get("Locked"))
    for field in ("MinRetentionDays", "MaxRetentionDays", "LockDate"):
        config.setdefault(field, None)
    config["AccessPolicy"], config["AccessPolicyUnavailable"] = policy
    config["Tags"] = tags
    return config


@connector(
    "aws.backup.vault",
    custodian=("backup-vault",),
    service="backup",
    scope="regional",
    permissions=(
        "backup:ListBackupVaults",
        "backup:GetBackupVaultAccessPolicy",
        "backup:ListTags",
        "kms:DescribeKey",
    ),
    id_field="BackupVaultArn",
    name_field="BackupVaultName",
)
class BackupVaultConnector(Connector):
    """Vaults from a paged ListBackupVaults (with lock state); tags, policy and key per vault."""

    config_shape = ConfigShape(
        api=("backup", "BackupVaultListMember"),
        attributes=("AccessPolicy", "AccessPolicyUnavailable", "EncryptionKeyManager", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every backup vault of the region."""
        return paginate(scope.client("backup"), "list_backup_vaults", "BackupVaultList")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Tags, access policy and key manager; None when the vault was deleted meanwhile."""
        client = scope.client("backup")
        arn: str = resource["BackupVaultArn"]
        tagged = optional(client.list_tags, _MISSING, ResourceArn=arn)
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        policy = access_policy(client, resource["BackupVaultName"])
        manager = key_manager(scope, resource.get("EncryptionKeyArn"))
        config = vault_config(resource, manager, policy, tags)
        return DiscoveredAsset(
            asset_id=arn,
            name=config["BackupVaultName"],
            region=scope.region,
            config=config,
            tags=tags,
        )


def plan_config(answer: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """GetBackupPlan's plan, rules sorted by name and copy actions in canonical order."""
    plan = answer["BackupPlan"]
    rules = [
        {**rule, "CopyActions": canonical(rule.get("CopyActions"))}
        for rule in sorted(plan.get("Rules", []), key=lambda r: str(r.get("RuleName")))
    ]
    config: dict[str, Any] = plain(
        {
            "BackupPlanArn": answer["BackupPlanArn"],
            "BackupPlanId": answer["BackupPlanId"],
            "BackupPlanName": plan["BackupPlanName"],
            "VersionId": answer.get("VersionId"),
            "Rules": rules,
            "AdvancedBackupSettings": canonical(plan.get("AdvancedBackupSettings")),
            "Tags": tags,
        }
    )
    return config


@connector(
    "aws.backup.plan",
    custodian=("backup-plan",),
    service="backup",
    scope="regional",
    permissions=("backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListTags"),
    id_field="BackupPlanArn",
    name_field="BackupPlanName",
)
class BackupPlanConnector(Connector):
    """Plans from a paged ListBackupPlans; each plan's rules (GetBackupPlan) and tags."""

    config_shape = ConfigShape(
        api=("backup", "BackupPlansListMember"),
        attributes=("Rules", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every backup plan of the region (latest versions)."""
        return paginate(scope.client("backup"), "list_backup_plans", "BackupPlansList")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The plan's rules and tags; None when the plan was deleted since the listing."""
        client = scope.client("backup")
        answer = optional(client.get_backup_plan, _MISSING, BackupPlanId=resource["BackupPlanId"])
        if answer is None:
            return None
        tagged = optional(client.list_tags, _MISSING, ResourceArn=answer["BackupPlanArn"])
        if tagged is None:
            return None
        tags = flatten_tags(tagged.get("Tags"))
        config = plan_config(answer, tags)
        return DiscoveredAsset(
            asset_id=config["BackupPlanArn"],
            name=config["BackupPlanName"],
            region=scope.region,
            config=config,
            tags=tags,
        )
