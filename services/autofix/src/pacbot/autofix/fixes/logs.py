"""Fix ``logs-retention``: give a CloudWatch Logs group a retention of at least ``params.days``.

CloudWatch Logs accepts only some retention values, so the requested number of days is rounded
up to the next one it accepts (100 becomes 120). A longer retention is never lowered. Setting a
retention on a group that kept events forever makes CloudWatch Logs delete events older than it;
rollback removes the retention again but cannot bring those events back.
"""

from __future__ import annotations

from typing import Any

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone
from pacbot.autofix.fixes._registry import FIXES

DEFAULT_DAYS = 365  # aws-logs-log-group-retention-minimum's min_days
ALLOWED_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def retention_for(days: int) -> int:
    """The shortest retention CloudWatch Logs accepts that keeps events at least ``days``."""
    for allowed in ALLOWED_DAYS:
        if allowed >= days:
            return allowed
    raise ValueError(f"CloudWatch Logs cannot keep events for {days} days (at most 3653)")


def _wanted(target: FixTarget) -> int:
    return int(target.params.get("days", DEFAULT_DAYS))


def _put(target: FixTarget, days: int) -> ApiCall:
    params = {"logGroupName": target.name, "retentionInDays": days}
    return ApiCall("logs", "put_retention_policy", params)


@FIXES.register
class LogsRetention(Fix):
    """Sets the log group's retention to ``params.days`` (365) unless it is already longer."""

    name = "logs-retention"
    resource_type = "aws.logs.log_group"
    policies = ("aws-logs-log-group-retention-set", "aws-logs-log-group-retention-minimum")
    read_permissions = ("logs:DescribeLogGroups",)
    write_permissions = ("logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy")
    reversible = True
    backs_up = "the log group's retentionInDays (null when events never expired)"
    verifies = "reads the log group back and requires a retention of at least params.days"
    description = "Set the CloudWatch log group's retention to at least the required days"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The log group's retention in days, null when it has none."""
        pages = (
            aws.client("logs")
            .get_paginator("describe_log_groups")
            .paginate(logGroupNamePrefix=target.name)
        )
        for page in pages:
            for group in page.get("logGroups", []):
                if group.get("logGroupName") == target.name:
                    return {"retentionInDays": group.get("retentionInDays")}
        raise ResourceGone(f"log group {target.name} no longer exists")

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """A retention is set and it is at least ``params.days``."""
        days = current.get("retentionInDays")
        return days is not None and days >= _wanted(target)

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutRetentionPolicy, unless compliant."""
        if self.is_compliant(current, target):
            return []
        return [_put(target, retention_for(_wanted(target)))]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the old retention back, or delete the retention when there was none."""
        old = backup.get("retentionInDays")
        if old == current.get("retentionInDays"):
            return []
        if old is None:
            return [ApiCall("logs", "delete_retention_policy", {"logGroupName": target.name})]
        return [_put(target, int(old))]
