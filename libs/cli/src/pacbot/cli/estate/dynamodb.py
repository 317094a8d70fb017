"""DynamoDB tables: one protected, encrypted with a CMK and backed up; one left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

TABLE = "aws.dynamodb.table"


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both tables with what each must fail."""
    ddb = account.client("dynamodb")
    schema = {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    orders = ddb.create_table(
        TableName=account.name_of("orders"),
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn},
        DeletionProtectionEnabled=True,
        Tags=_tags(Owner="payments@acme.example", Environment="prod", Application="orders"),
        **schema,
    )["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(
        TableName=account.name_of("orders"),
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    scratch = ddb.create_table(
        TableName=account.name_of("scratch"),
        Tags=_tags(Owner="data@acme.example", Environment="experiments"),
        **schema,
    )["TableDescription"]["TableArn"]
    return [
        seeded(TABLE, orders),
        seeded(
            TABLE,
            scratch,
            {
                "aws-dynamodb-table-deletion-protection",
                "aws-dynamodb-table-kms-encryption",
                "aws-dynamodb-table-pitr",
                "aws-tagging-dynamodb-table-environment-value",
                "aws-tagging-dynamodb-table-mandatory-tags",
            },
        ),
    ]
