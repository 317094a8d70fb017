"""CloudWatch alarms: the CIS alarms ``posture`` created, an on-call alarm, two silent ones."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded
from pacbot.cli.estate.posture import CIS_PATTERNS

ALARM = "aws.cloudwatch.alarm"
_METRIC: dict[str, Any] = {
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "HTTPCode_Target_5XX_Count",
    "Statistic": "Sum",
    "Period": 300,
    "EvaluationPeriods": 2,
    "Threshold": 25,
    "ComparisonOperator": "GreaterThanThreshold",
    "TreatMissingData": "notBreaching",
}


def seed(account: Account, topic_arn: str) -> list[Seeded]:
    """Every alarm of the estate with what it must fail (posture's CIS alarms pass)."""
    cloudwatch = account.client("cloudwatch")

    def alarm(short: str, **settings: Any) -> str:
        name = account.name_of(short)
        cloudwatch.put_metric_alarm(AlarmName=name, **_METRIC, **settings)
        return account.arn("cloudwatch", f"alarm:{name}")

    cis = [
        account.arn("cloudwatch", f"alarm:{account.name_of('cis-' + c.replace('.', '-'))}")
        for c in CIS_PATTERNS
    ]
    paging = alarm(
        "storefront-5xx",
        ActionsEnabled=True,
        AlarmActions=[topic_arn],
        OKActions=[topic_arn],
        Tags=[{"Key": "Owner", "Value": "storefront-team@example.com"}],
    )
    muted = alarm("checkout-5xx", ActionsEnabled=False, AlarmActions=[topic_arn])
    dashboard_only = alarm("search-5xx", ActionsEnabled=False)
    return [
        *(seeded(ALARM, arn) for arn in cis),
        seeded(ALARM, paging),
        seeded(ALARM, muted, {"aws-cloudwatch-alarm-actions-enabled"}),
        seeded(
            ALARM,
            dashboard_only,
            {"aws-cloudwatch-alarm-actions-enabled", "aws-cloudwatch-alarm-action-configured"},
        ),
    ]
