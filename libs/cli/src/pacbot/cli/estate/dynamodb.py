"""DynamoDB tables: one protected, encrypted with a CMK and backed up; one left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

TABLE = "aws.dynamodb.table"
UNPROTECTED = frozenset(
    {
        "aws-dynamodb-table-deletion-protection",
        "aws-dynamodb-table-kms-encryption",
        "aws-dynamodb-table-pitr",
    }
)
"""What a table created with every default fails."""


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def table(account: Account, name: str, key_arn: str | None, tags: dict[str, str]) -> str:
    """A pay-per-request table; with ``key_arn`` also CMK-encrypted, protected and backed up
    (point-in-time recovery), without it every default (``UNPROTECTED``). Its ARN."""
    ddb = account.client("dynamodb")
    hardened: dict[str, object] = {}
    if key_arn:
        hardened = {
            "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn},
            "DeletionProtectionEnabled": True,
        }
    arn = ddb.create_table(
        TableName=account.name_of(name),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=_tags(tags),
        **hardened,
    )["TableDescription"]["TableArn"]
    if key_arn:
        ddb.update_continuous_backups(
            TableName=account.name_of(name),
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    return str(arn)


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both tables with what each must fail."""
    orders = table(
        account,
        "orders",
        key_arn,
        {"Owner": "payments@acme.example", "Environment": "prod", "Application": "orders"},
    )
    scratch = table(
        account, "scratch", None, {"Owner": "data@acme.example", "Environment": "experiments"}
    )
    return [
        seeded(TABLE, orders),
        seeded(
            TABLE,
            scratch,
            UNPROTECTED
            | {
                "aws-tagging-dynamodb-table-environment-value",
                "aws-tagging-dynamodb-table-mandatory-tags",
            },
        ),
    ]
