"""CloudWatch alarms through the connector: one that pages on ALARM vs one that does nothing."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors.cloudwatch import alarm_config

TOPIC = "arn:aws:sns:us-east-1:123456789012:on-call"
METRIC = {
    "MetricName": "Errors",
    "Namespace": "AWS/Lambda",
    "Statistic": "Sum",
    "Period": 60,
    "EvaluationPeriods": 1,
    "Threshold": 1,
    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
}


def test_paging_alarm_and_silent_alarm(aws: Any, discover: Any) -> None:
    cloudwatch = aws("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="orders-errors",
        ActionsEnabled=True,
        AlarmActions=[TOPIC],
        OKActions=[TOPIC],
        Dimensions=[{"Name": "FunctionName", "Value": "orders"}],
        Tags=[{"Key": "Owner", "Value": "orders-team@example.com"}],
        **METRIC,
    )
    cloudwatch.put_metric_alarm(AlarmName="legacy-errors", ActionsEnabled=False, **METRIC)

    found = {a.name: a for a in discover("aws.cloudwatch.alarm").values()}

    good = found["orders-errors"]
    bad = found["legacy-errors"].config
    assert good.config["ActionsEnabled"] is True
    assert good.config["AlarmActions"] == [TOPIC]
    assert good.config["AlarmType"] == "MetricAlarm"
    assert good.owner == "orders-team@example.com"
    assert good.asset_id == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors"
    assert "StateValue" not in good.config
    assert bad["ActionsEnabled"] is False
    assert (bad["AlarmActions"], bad["OKActions"], bad["InsufficientDataActions"]) == ([], [], [])


def test_state_is_left_out_and_lists_are_sorted() -> None:
    config = alarm_config(
        {
            "AlarmName": "rule",
            "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:rule",
            "AlarmType": "CompositeAlarm",
            "AlarmRule": 'ALARM("a") OR ALARM("b")',
            "AlarmActions": ["arn:b", "arn:a"],
            "StateValue": "ALARM",
            "StateReason": "Threshold Crossed",
            "StateTransitionedTimestamp": "2026-01-01T00:00:00Z",
        },
        {},
    )
    assert config["AlarmActions"] == ["arn:a", "arn:b"]
    assert config["OKActions"] == []
    assert config["ActionsEnabled"] is False
    assert not {"StateValue", "StateReason", "StateTransitionedTimestamp"} & set(config)
