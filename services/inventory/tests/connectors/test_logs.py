"""CloudWatch log groups through the connector directly: retained and encrypted vs neither."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:logs:us-east-1:123456789012:log-group:"


def test_retained_encrypted_group_vs_bare_group(aws: Any, discover: Any) -> None:
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    logs = aws("logs")
    logs.create_log_group(logGroupName="/app/audit", kmsKeyId=key, tags={"Owner": "app"})
    logs.put_retention_policy(logGroupName="/app/audit", retentionInDays=365)
    logs.put_metric_filter(
        logGroupName="/app/audit",
        filterName="root-login",
        filterPattern='{ $.userIdentity.type = "Root" }',
        metricTransformations=[
            {"metricName": "Root", "metricNamespace": "CIS", "metricValue": "1"}
        ],
    )
    logs.create_log_group(logGroupName="/app/debug")

    found = discover("aws.logs.log_group")

    assert set(found) == {ARN + "/app/audit", ARN + "/app/debug"}
    good, bad = found[ARN + "/app/audit"], found[ARN + "/app/debug"]
    assert good.owner == "app"
    assert good.config["retentionInDays"] == 365
    assert good.config["kmsKeyId"] == key
    assert good.config["metricFilterCount"] == 1
    assert good.config["metricFilters"][0]["filterName"] == "root-login"
    assert "storedBytes" not in good.config
    assert bad.config["retentionInDays"] is None
    assert bad.config["kmsKeyId"] is None
    assert bad.config["metricFilterCount"] == 0
    assert bad.config["Tags"] == {}
