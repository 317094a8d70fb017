"""DynamoDB tables: encryption, point-in-time recovery, deletion protection and billing mode."""

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

# Sizes, counts and statuses change with the data, not the configuration.
_TABLE_VOLATILE = frozenset({"ItemCount", "TableSizeBytes", "TableStatus"})
_INDEX_VOLATILE = frozenset({"ItemCount", "IndexSizeBytes", "IndexStatus", "Backfilling"})
_PITR_KEYS = ("PointInTimeRecoveryStatus", "RecoveryPeriodInDays")
_GONE = ("ResourceNotFoundException", "TableNotFoundException")


def _tags(client: Any, arn: str) -> dict[str, str] | None:
    """Every tag of the table across pages; None when the table is gone."""
    tags: list[dict[str, str]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ResourceArn": arn, **({"NextToken": token} if token else {})}
        page = optional(client.list_tags_of_resource, missing=_GONE, **kwargs)
        if page is None:
            return None
        tags.extend(page.get("Tags", []))
        token = page.get("NextToken")
        if not token:
            return flatten_tags(tags)


def _steady(item: dict[str, Any], volatile: frozenset[str]) -> dict[str, Any]:
    """A table or index without volatile keys; the daily throughput-decrease counter too."""
    steady = {k: v for k, v in item.items() if k not in volatile}
    if isinstance(steady.get("ProvisionedThroughput"), dict):
        throughput = dict(steady["ProvisionedThroughput"])
        throughput.pop("NumberOfDecreasesToday", None)
        steady["ProvisionedThroughput"] = throughput
    return steady


def table_config(
    table: dict[str, Any], backups: dict[str, Any], tags: dict[str, str]
) -> dict[str, Any]:
    """DescribeTable plus PITR as a config document without data-dependent values."""
    config: dict[str, Any] = plain(_steady(table, _TABLE_VOLATILE))
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = [_steady(index, _INDEX_VOLATILE) for index in config.get(key) or []]
        config[key] = sorted(indexes, key=lambda i: str(i.get("IndexName")))
    summary = config.get("BillingModeSummary") or {}
    config["BillingMode"] = summary.get("BillingMode", "PROVISIONED")
    config.setdefault("SSEDescription", None)
    config.setdefault("DeletionProtectionEnabled", False)
    description = backups.get("ContinuousBackupsDescription", {})
    pitr = description.get("PointInTimeRecoveryDescription", {})
    config["ContinuousBackupsStatus"] = description.get("ContinuousBackupsStatus")
    config["PointInTimeRecovery"] = {k: pitr[k] for k in _PITR_KEYS if k in pitr}
    config["Tags"] = tags
    return config


@connector(
    "aws.dynamodb.table",
    custodian=("dynamodb-table",),
    service="dynamodb",
    scope="regional",
    permissions=(
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
    ),
    id_field="TableArn",
    name_field="TableName",
)
class DynamoDbTableConnector(Connector):
    """Tables from a paged ListTables; DescribeTable, backups and tags per table (no batch API)."""

    config_shape = ConfigShape(
        api=("dynamodb", "TableDescription"),
        attributes=("BillingMode", "ContinuousBackupsStatus", "PointInTimeRecovery", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every table name of the region."""
        names = paginate(scope.client("dynamodb"), "list_tables", "TableNames")
        return [{"TableName": name} for name in names]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Table, continuous backups and tags; None when the table was deleted meanwhile."""
        client = scope.client("dynamodb")
        name: str = resource["TableName"]
        answer = optional(client.describe_table, missing=_GONE, TableName=name)
        backups = optional(client.describe_continuous_backups, missing=_GONE, TableName=name)
        if answer is None or backups is None:
            return None
        arn: str = answer["Table"]["TableArn"]
        tags = _tags(client, arn)
        if tags is None:
            return None
        config = table_config(answer["Table"], backups, tags)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )
