"""Step Functions state machines: one logged, traced and CMK-encrypted, one left at defaults."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, seeded

STATE_MACHINE = "aws.stepfunctions.state_machine"
_DEFINITION = json.dumps(
    {
        "Comment": "Reserve stock, then confirm the order",
        "StartAt": "Reserve",
        "States": {
            "Reserve": {"Type": "Pass", "Next": "Confirm"},
            "Confirm": {"Type": "Succeed"},
        },
    }
)


def seed(account: Account, role_arn: str, log_group_arn: str, key_arn: str) -> list[Seeded]:
    """Both state machines with what each must fail."""
    sfn = account.client("stepfunctions")
    orders = sfn.create_state_machine(
        name=account.name_of("order-workflow"),
        definition=_DEFINITION,
        roleArn=role_arn,
        loggingConfiguration={
            "level": "ERROR",
            "includeExecutionData": False,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{log_group_arn}:*"}}],
        },
        tracingConfiguration={"enabled": True},
        encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key_arn},
        tags=[{"key": "Owner", "value": "orders-team@example.com"}],
    )
    legacy = sfn.create_state_machine(
        name=account.name_of("legacy-batch"), definition=_DEFINITION, roleArn=role_arn
    )
    return [
        seeded(STATE_MACHINE, orders["stateMachineArn"]),
        seeded(
            STATE_MACHINE,
            legacy["stateMachineArn"],
            {
                "aws-stepfunctions-state-machine-logging",
                "aws-stepfunctions-state-machine-xray-tracing",
                "aws-stepfunctions-state-machine-cmk-encryption",
            },
        ),
    ]
