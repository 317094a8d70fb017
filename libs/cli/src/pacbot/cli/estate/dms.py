"""DMS replication instances: a private Multi-AZ one and a public single-AZ one."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

REPLICATION_INSTANCE = "aws.dms.replication_instance"


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both replication instances with what each must fail."""
    dms = account.client("dms")
    migration = dms.create_replication_instance(
        ReplicationInstanceIdentifier=account.name_of("orders-migration"),
        ReplicationInstanceClass="dms.r5.large",
        AllocatedStorage=100,
        MultiAZ=True,
        AutoMinorVersionUpgrade=True,
        PubliclyAccessible=False,
        KmsKeyId=key_arn,
        Tags=[{"Key": "Owner", "Value": "data-team@example.com"}],
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    quick_copy = dms.create_replication_instance(
        ReplicationInstanceIdentifier=account.name_of("quick-copy"),
        ReplicationInstanceClass="dms.t3.medium",
        MultiAZ=False,
        AutoMinorVersionUpgrade=False,
        PubliclyAccessible=True,
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    return [
        seeded(REPLICATION_INSTANCE, migration),
        seeded(
            REPLICATION_INSTANCE,
            quick_copy,
            {
                "aws-dms-replication-instance-not-public",
                "aws-dms-replication-instance-auto-minor-version-upgrade",
                "aws-dms-replication-instance-multi-az",
            },
        ),
    ]
