"""RDS: a hardened PostgreSQL instance and Aurora cluster, their broken twins, snapshots."""

from __future__ import annotations

from pacbot.cli.estate._model import SIMULATED_PASSWORD, Account, Seeded, seeded

INSTANCE = "aws.rds.instance"
CLUSTER = "aws.rds.cluster"
SNAPSHOT = "aws.rds.snapshot"
TAGS = [
    {"Key": "Owner", "Value": "payments@acme.example"},
    {"Key": "Environment", "Value": "prod"},
    {"Key": "Application", "Value": "ledger"},
]


def seed(account: Account, key_arn: str, subnets: list[str]) -> list[Seeded]:
    """Instances, clusters and snapshots with what each must fail."""
    rds = account.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName=account.name_of("db"),
        DBSubnetGroupDescription="estate databases",
        SubnetIds=subnets,
    )
    common = {
        "DBInstanceClass": "db.t3.medium",
        "Engine": "postgres",
        "MasterUsername": "ledger",
        "MasterUserPassword": SIMULATED_PASSWORD,
        "AllocatedStorage": 20,
        "DBSubnetGroupName": account.name_of("db"),
    }
    ledger = rds.create_db_instance(
        DBInstanceIdentifier=account.name_of("ledger"),
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        MultiAZ=True,
        PubliclyAccessible=False,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        BackupRetentionPeriod=14,
        EnableCloudwatchLogsExports=["postgresql"],
        AutoMinorVersionUpgrade=True,
        Tags=TAGS,
        **common,
    )["DBInstance"]
    legacy = rds.create_db_instance(
        DBInstanceIdentifier=account.name_of("legacy-reports"),
        StorageEncrypted=False,
        MultiAZ=False,
        PubliclyAccessible=True,
        DeletionProtection=False,
        EnableIAMDatabaseAuthentication=False,
        BackupRetentionPeriod=1,
        AutoMinorVersionUpgrade=False,
        Tags=[
            {"Key": "Owner", "Value": "bi@acme.example"},
            {"Key": "Environment", "Value": "Prod"},
        ],
        **common,
    )["DBInstance"]
    found = [
        seeded(INSTANCE, ledger["DBInstanceArn"]),
        seeded(
            INSTANCE,
            legacy["DBInstanceArn"],
            {
                "aws-rds-instance-auto-minor-version-upgrade",
                "aws-rds-instance-backup-retention",
                "aws-rds-instance-deletion-protection",
                "aws-rds-instance-iam-auth",
                "aws-rds-instance-log-exports",
                "aws-rds-instance-multi-az",
                "aws-rds-instance-not-public",
                "aws-rds-instance-storage-encrypted",
                "aws-tagging-rds-instance-environment-value",
                "aws-tagging-rds-instance-mandatory-tags",
            },
        ),
    ]
    found += _snapshots(account, ledger["DBInstanceIdentifier"], legacy["DBInstanceIdentifier"])
    found += _clusters(account, key_arn)
    return found


def _snapshots(account: Account, encrypted: str, plain: str) -> list[Seeded]:
    rds = account.client("rds")

    def snapshot(source: str, name: str, breaks: set[str]) -> str:
        arn = rds.create_db_snapshot(
            DBInstanceIdentifier=source, DBSnapshotIdentifier=account.name_of(name)
        )["DBSnapshot"]["DBSnapshotArn"]
        found.append(seeded(SNAPSHOT, arn, breaks))
        return account.name_of(name)

    found: list[Seeded] = []
    snapshot(encrypted, "ledger-nightly", set())
    snapshot(plain, "reports-nightly", {"aws-rds-snapshot-encrypted"})
    shared = snapshot(encrypted, "ledger-shared", {"aws-rds-snapshot-not-public"})
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier=shared, AttributeName="restore", ValuesToAdd=["all"]
    )
    return found


def _clusters(account: Account, key_arn: str) -> list[Seeded]:
    rds = account.client("rds")
    common = {
        "Engine": "aurora-postgresql",
        "MasterUsername": "ledger",
        "MasterUserPassword": SIMULATED_PASSWORD,
    }
    good = rds.create_db_cluster(
        DBClusterIdentifier=account.name_of("ledger-aurora"),
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        DeletionProtection=True,
        EnableIAMDatabaseAuthentication=True,
        BackupRetentionPeriod=14,
        **common,
    )["DBCluster"]["DBClusterArn"]
    bare = rds.create_db_cluster(
        DBClusterIdentifier=account.name_of("scratch-aurora"),
        StorageEncrypted=False,
        BackupRetentionPeriod=1,
        **common,
    )["DBCluster"]["DBClusterArn"]
    return [
        seeded(CLUSTER, good),
        seeded(
            CLUSTER,
            bare,
            {
                "aws-rds-cluster-backup-retention",
                "aws-rds-cluster-deletion-protection",
                "aws-rds-cluster-iam-auth",
                "aws-rds-cluster-storage-encrypted",
            },
        ),
    ]
