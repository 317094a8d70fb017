"""AWS Backup through the connectors: a locked CMK vault vs a bare one, a long vs short plan."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import Scope
from pacbot.inventory.connectors.backup import access_policy, key_manager


def test_locked_cmk_vault_and_bare_vault(aws: Any, discover: Any) -> None:
    key = aws("kms").create_key(Description="backups")["KeyMetadata"]["Arn"]
    backup = aws("backup")
    backup.create_backup_vault(
        BackupVaultName="prod-vault", EncryptionKeyArn=key, BackupVaultTags={"Owner": "dr-team"}
    )
    backup.put_backup_vault_lock_configuration(
        BackupVaultName="prod-vault", MinRetentionDays=35, MaxRetentionDays=3650
    )
    backup.create_backup_vault(BackupVaultName="scratch-vault")

    found = {a.name: a for a in discover("aws.backup.vault").values()}

    good = found["prod-vault"]
    assert good.asset_id == "arn:aws:backup:us-east-1:123456789012:backup-vault:prod-vault"
    assert good.config["EncryptionKeyArn"] == key
    assert good.config["EncryptionKeyManager"] == "CUSTOMER"
    assert (good.config["Locked"], good.config["MinRetentionDays"]) == (True, 35)
    assert good.owner == "dr-team"
    assert "NumberOfRecoveryPoints" not in good.config
    bad = found["scratch-vault"].config
    assert bad["EncryptionKeyArn"] is None
    assert bad["EncryptionKeyManager"] is None
    assert (bad["Locked"], bad["MinRetentionDays"]) == (False, None)
    assert bad["Tags"] == {}
    # moto does not implement the access policy calls: the connector says so instead of guessing
    assert bad["AccessPolicy"] is None
    assert "HTTP 404" in bad["AccessPolicyUnavailable"]


def _scope() -> Scope:
    factory = AwsSessionFactory(endpoint_url="http://127.0.0.1:1")
    return Scope(factory, AccountAccess("123456789012"), "us-east-1", "us-east-1")


def test_access_policy_reads_the_document_and_a_missing_policy() -> None:
    client = _scope().client("backup")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "backup:*"}],
    }
    with Stubber(client) as stub:
        stub.add_response(
            "get_backup_vault_access_policy",
            {"BackupVaultName": "open", "Policy": json.dumps(policy)},
            {"BackupVaultName": "open"},
        )
        stub.add_client_error(
            "get_backup_vault_access_policy",
            "ResourceNotFoundException",
            expected_params={"BackupVaultName": "closed"},
        )
        stub.add_client_error(
            "get_backup_vault_access_policy",
            "AccessDeniedException",
            expected_params={"BackupVaultName": "denied"},
        )
        assert access_policy(client, "open") == (policy, None)
        assert access_policy(client, "closed") == (None, None)
        with pytest.raises(ClientError, match="AccessDenied"):  # fails the sweep, not "none"
            access_policy(client, "denied")


def test_key_of_another_account_is_customer_managed_and_aws_keys_are_asked() -> None:
    scope = _scope()
    foreign = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert key_manager(scope, foreign) == "CUSTOMER"
    assert key_manager(scope, None) is None
    own = "arn:aws:kms:us-east-1:123456789012:key/0b6e2f4a-1111-2222-3333-444455556666"
    with Stubber(scope.client("kms")) as stub:
        stub.add_response(
            "describe_key",
            {"KeyMetadata": {"KeyId": own.rsplit("/", 1)[1], "KeyManager": "AWS"}},
            {"KeyId": own},
        )
        assert key_manager(scope, own) == "AWS"


def test_backup_plans_with_their_rules(aws: Any, discover: Any) -> None:
    backup = aws("backup")
    backup.create_backup_vault(BackupVaultName="prod-vault")

    def plan(name: str, days: int, **extra: Any) -> None:
        rule = {
            "RuleName": "daily",
            "TargetBackupVaultName": "prod-vault",
            "ScheduleExpression": "cron(0 5 ? * * *)",
            "Lifecycle": {"DeleteAfterDays": days},
            **extra,
        }
        backup.create_backup_plan(
            BackupPlan={"BackupPlanName": name, "Rules": [rule]},
            BackupPlanTags={"Owner": "dr-team"} if days >= 35 else {},
        )

    dr = "arn:aws:backup:us-west-2:123456789012:backup-vault:dr"
    plan(
        "prod-daily",
        35,
        CopyActions=[{"DestinationBackupVaultArn": dr, "Lifecycle": {"DeleteAfterDays": 35}}],
    )
    plan("dev-daily", 7)

    found = {a.name: a for a in discover("aws.backup.plan").values()}

    good = found["prod-daily"]
    assert good.asset_id == good.config["BackupPlanArn"]
    assert good.owner == "dr-team"
    (rule,) = good.config["Rules"]
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    assert rule["CopyActions"][0]["DestinationBackupVaultArn"] == dr
    bad = found["dev-daily"].config
    assert bad["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 7}
    assert bad["Rules"][0]["CopyActions"] == []
    assert bad["Tags"] == {}
