"""CloudWatch Logs log groups: encrypted with a year's retention, and three broken ones."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

LOG_GROUP = "aws.logs.log_group"


def log_group(
    account: Account,
    short: str,
    key_arn: str | None,
    retention: int | None,
    tags: dict[str, str] | None = None,
) -> str:
    """``/acme/<account name>-<short>``, encrypted with ``key_arn`` when given; its ARN."""
    logs = account.client("logs")
    name = f"/acme/{account.name_of(short)}"
    encryption = {"kmsKeyId": key_arn} if key_arn else {}
    logs.create_log_group(logGroupName=name, tags=tags or {}, **encryption)
    if retention is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    return account.arn("logs", f"log-group:{name}")


def seed(account: Account, key_arn: str) -> tuple[dict[str, str], list[Seeded]]:
    """Log groups by short name (their ARNs), and what each must fail."""
    found: list[Seeded] = []
    arns: dict[str, str] = {}
    for short, retention, encrypted, breaks in (
        ("flow-logs", 365, True, set()),
        ("cloudtrail", 400, True, set()),
        ("app", 731, True, set()),
        ("debug", None, True, {"aws-logs-log-group-retention-set"}),
        ("short-lived", 7, True, {"aws-logs-log-group-retention-minimum"}),
        ("plain", 365, False, {"aws-logs-log-group-kms-encrypted"}),
    ):
        arn = log_group(account, short, key_arn if encrypted else None, retention)
        arns[short] = arn
        found.append(seeded(LOG_GROUP, arn, breaks))
    return arns, found
