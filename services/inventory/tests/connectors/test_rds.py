"""RDS instances, clusters and snapshots via the connectors: public vs private, shared vs not."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:rds:us-east-1:123456789012"


def _instance(rds: Any, name: str, **kwargs: Any) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password",
        AllocatedStorage=20,
        **kwargs,
    )


def test_public_unencrypted_instance_and_private_encrypted_instance(
    aws: Any, discover: Any
) -> None:
    rds = aws("rds")
    _instance(rds, "open-db", PubliclyAccessible=True, StorageEncrypted=False)
    _instance(
        rds,
        "closed-db",
        PubliclyAccessible=False,
        StorageEncrypted=True,
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc",
        MultiAZ=True,
        DeletionProtection=True,
        BackupRetentionPeriod=14,
        EnableCloudwatchLogsExports=["upgrade", "postgresql"],
        EnableIAMDatabaseAuthentication=True,
        Tags=[{"Key": "Owner", "Value": "db-team@example.com"}],
    )

    found = discover("aws.rds.instance")

    bad = found[f"{ARN}:db:open-db"]
    good = found[f"{ARN}:db:closed-db"]
    assert (bad.config["PubliclyAccessible"], bad.config["StorageEncrypted"]) == (True, False)
    assert bad.config["DeletionProtection"] is False
    assert bad.config["Tags"] == {}
    assert (good.config["PubliclyAccessible"], good.config["StorageEncrypted"]) == (False, True)
    assert good.config["KmsKeyId"].endswith("key/abc")
    assert good.config["MultiAZ"] is True
    assert good.config["DeletionProtection"] is True
    assert good.config["BackupRetentionPeriod"] == 14
    assert good.config["IAMDatabaseAuthenticationEnabled"] is True
    assert good.config["EnabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert good.config["Engine"] == "postgres"
    assert "EngineVersion" in good.config
    assert good.owner == "db-team@example.com"
    assert "TagList" not in good.config
    assert "LatestRestorableTime" not in good.config
    assert "MasterUserPassword" not in good.config


def test_cluster_encryption_shows(aws: Any, discover: Any) -> None:
    rds = aws("rds")
    for name, encrypted in (("plain-cluster", False), ("sealed-cluster", True)):
        rds.create_db_cluster(
            DBClusterIdentifier=name,
            Engine="aurora-postgresql",
            MasterUsername="admin_user",
            MasterUserPassword="not-a-real-password",
            StorageEncrypted=encrypted,
            Tags=[{"Key": "env", "Value": name}],
        )

    found = discover("aws.rds.cluster")

    assert found[f"{ARN}:cluster:plain-cluster"].config["StorageEncrypted"] is False
    sealed = found[f"{ARN}:cluster:sealed-cluster"]
    assert sealed.config["StorageEncrypted"] is True
    assert sealed.tags == {"env": "sealed-cluster"}
    assert "Status" not in sealed.config


def test_public_snapshot_and_private_snapshot(aws: Any, discover: Any) -> None:
    rds = aws("rds")
    _instance(rds, "source-db")
    rds.create_db_snapshot(DBSnapshotIdentifier="shared-snap", DBInstanceIdentifier="source-db")
    rds.create_db_snapshot(DBSnapshotIdentifier="kept-snap", DBInstanceIdentifier="source-db")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="shared-snap", AttributeName="restore", ValuesToAdd=["all"]
    )
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="kept-snap", AttributeName="restore", ValuesToAdd=["210987654321"]
    )

    found = discover("aws.rds.snapshot")

    assert all(a.config["SnapshotType"] == "manual" for a in found.values())
    bad = found[f"{ARN}:snapshot:shared-snap"].config
    good = found[f"{ARN}:snapshot:kept-snap"].config
    assert (bad["RestoreAttribute"], bad["Public"]) == (["all"], True)
    assert (good["RestoreAttribute"], good["Public"]) == (["210987654321"], False)
    assert good["Encrypted"] is False
