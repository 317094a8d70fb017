"""DynamoDB tables through the connector: point-in-time recovery on vs off."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table"


def _table(ddb: Any, name: str, **kwargs: Any) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        **kwargs,
    )


def test_table_with_pitr_and_kms_and_table_without(aws: Any, discover: Any) -> None:
    ddb = aws("dynamodb")
    _table(
        ddb,
        "loose-table",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    _table(
        ddb,
        "safe-table",
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
        DeletionProtectionEnabled=True,
        Tags=[{"Key": "Owner", "Value": "data-team@example.com"}],
    )
    ddb.update_continuous_backups(
        TableName="safe-table",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    ddb.put_item(TableName="loose-table", Item={"pk": {"S": "row"}})

    found = discover("aws.dynamodb.table")

    bad = found[f"{ARN}/loose-table"].config
    good = found[f"{ARN}/safe-table"]
    assert bad["PointInTimeRecovery"]["PointInTimeRecoveryStatus"] == "DISABLED"
    assert bad["DeletionProtectionEnabled"] is False
    assert bad["SSEDescription"] is None
    assert bad["BillingMode"] == "PROVISIONED"
    assert "ItemCount" not in bad
    assert "NumberOfDecreasesToday" not in bad["ProvisionedThroughput"]
    assert good.config["PointInTimeRecovery"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "LatestRestorableDateTime" not in good.config["PointInTimeRecovery"]
    assert good.config["SSEDescription"]["SSEType"] == "KMS"
    assert good.config["DeletionProtectionEnabled"] is True
    assert good.config["BillingMode"] == "PAY_PER_REQUEST"
    assert good.owner == "data-team@example.com"
