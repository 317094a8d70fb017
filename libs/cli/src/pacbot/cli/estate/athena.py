"""Athena: an enforced, encrypted and limited workgroup, and the region's primary at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

WORKGROUP = "aws.athena.workgroup"


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """The new workgroup and the primary one (every region has it) with what each must fail."""
    name = account.name_of("analysts")
    account.client("athena").create_work_group(
        Name=name,
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": f"s3://{account.name_of('athena-results')}/analysts/",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": key_arn},
            },
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": 100 * 1024**3,
        },
        Tags=[{"Key": "Owner", "Value": "analytics"}],
    )
    return [
        seeded(WORKGROUP, account.arn("athena", f"workgroup/{name}")),
        *lax(account),
    ]


def lax(account: Account) -> list[Seeded]:
    """The primary workgroup AWS (and moto) give every region, at its defaults."""
    return [
        seeded(
            WORKGROUP,
            account.arn("athena", "workgroup/primary"),
            {
                "aws-athena-workgroup-results-encrypted",
                "aws-athena-workgroup-enforce-configuration",
                "aws-athena-workgroup-cloudwatch-metrics",
                "aws-athena-workgroup-scan-limit",
            },
        )
    ]
