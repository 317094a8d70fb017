"""AWS Backup: a locked vault under the estate's CMK and a bare one; a long and a short plan."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

VAULT = "aws.backup.vault"
PLAN = "aws.backup.plan"
_POLICY_UNREADABLE = "aws-backup-vault-access-policy-not-public"


def _plan(account: Account, name: str, vault: str, days: int, tags: dict[str, str]) -> str:
    rule: dict[str, Any] = {
        "RuleName": "daily",
        "TargetBackupVaultName": vault,
        "ScheduleExpression": "cron(0 5 ? * * *)",
        "Lifecycle": {"DeleteAfterDays": days},
    }
    answer = account.client("backup").create_backup_plan(
        BackupPlan={"BackupPlanName": account.name_of(name), "Rules": [rule]},
        BackupPlanTags=tags,
    )
    return str(answer["BackupPlanArn"])


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both vaults and both plans with what each must fail."""
    backup = account.client("backup")
    locked = account.name_of("prod-vault")
    backup.create_backup_vault(BackupVaultName=locked, EncryptionKeyArn=key_arn)
    backup.put_backup_vault_lock_configuration(
        BackupVaultName=locked, MinRetentionDays=35, MaxRetentionDays=3650
    )
    bare = account.name_of("scratch-vault")
    backup.create_backup_vault(BackupVaultName=bare)
    owned = {"Owner": "dr-team", "Environment": "prod"}
    kept = _plan(account, "prod-daily", locked, 35, owned)
    short = _plan(account, "dev-daily", bare, 7, {})
    return [
        seeded(VAULT, account.arn("backup", f"backup-vault:{locked}"), gaps={_POLICY_UNREADABLE}),
        seeded(
            VAULT,
            account.arn("backup", f"backup-vault:{bare}"),
            {"aws-backup-vault-cmk-encrypted", "aws-backup-vault-lock"},
            {_POLICY_UNREADABLE},
        ),
        seeded(PLAN, kept),
        seeded(
            PLAN,
            short,
            {"aws-backup-plan-retention-minimum", "aws-tagging-backup-plan-mandatory-tags"},
        ),
    ]
