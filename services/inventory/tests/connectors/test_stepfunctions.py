"""Step Functions state machines through the connector: logged, traced and CMK-encrypted vs bare."""

from __future__ import annotations

import json
from typing import Any

from pacbot.inventory.connectors.stepfunctions import state_machine_config

ROLE = "arn:aws:iam::123456789012:role/orders-workflow"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
KEY = "arn:aws:kms:us-east-1:123456789012:key/1f2e3d4c-0000-1111-2222-333344445555"


def test_logged_traced_state_machine_and_bare_state_machine(aws: Any, discover: Any) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName="/workflows/orders")
    group_arn = logs.describe_log_groups()["logGroups"][0]["arn"]
    sfn = aws("stepfunctions")
    good_arn = sfn.create_state_machine(
        name="orders",
        definition=DEFINITION,
        roleArn=ROLE,
        loggingConfiguration={
            "level": "ERROR",
            "includeExecutionData": False,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
        },
        tracingConfiguration={"enabled": True},
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY},
        tags=[{"key": "Owner", "value": "orders-team@example.com"}],
    )["stateMachineArn"]
    bad_arn = sfn.create_state_machine(name="legacy", definition=DEFINITION, roleArn=ROLE)[
        "stateMachineArn"
    ]

    found = discover("aws.stepfunctions.state_machine")

    good = found[good_arn]
    bad = found[bad_arn].config
    assert good.config["loggingConfiguration"]["level"] == "ERROR"
    assert good.config["loggingConfiguration"]["destinations"] == [
        {"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}
    ]
    assert good.config["tracingConfiguration"] == {"enabled": True}
    assert good.config["encryptionConfiguration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    assert good.owner == "orders-team@example.com"
    assert good.name == "orders"
    assert "definition" not in good.config
    assert bad["loggingConfiguration"] == {
        "level": "OFF",
        "includeExecutionData": False,
        "destinations": [],
    }
    assert bad["tracingConfiguration"] == {"enabled": False}
    assert bad["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    assert bad["Tags"] == {}


def test_missing_settings_read_as_aws_defaults() -> None:
    # Older state machines (and some regions' answers) omit the tracing/encryption blocks.
    config = state_machine_config(
        {
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:old",
            "name": "old",
            "definition": '{"StartAt": "A"}',
            "loggingConfiguration": {
                "level": "ALL",
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:b"}},
                    {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:a"}},
                ],
            },
        },
        {},
    )
    assert config["loggingConfiguration"]["includeExecutionData"] is False
    assert [
        d["cloudWatchLogsLogGroup"]["logGroupArn"]
        for d in config["loggingConfiguration"]["destinations"]
    ] == ["arn:a", "arn:b"]
    assert config["tracingConfiguration"] == {"enabled": False}
    assert config["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    assert "definition" not in config
