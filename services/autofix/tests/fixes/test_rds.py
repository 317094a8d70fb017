"""RDS fixes against moto: public instances, public snapshots, deletion protection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone

from .conftest import ACCOUNT, REGION, drill, target

Client = Callable[[str], Any]


def _fix(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def _instance(client: Client, name: str, **extra: Any) -> str:
    """A postgres instance; returns its ARN (the asset id a violation carries)."""
    created = client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        **extra,
    )
    arn: str = created["DBInstance"]["DBInstanceArn"]
    return arn


def _instance_target(name: str) -> Any:
    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"
    return target("aws.rds.instance", name, arn)


def test_a_public_instance_is_made_private_and_rolled_back(aws: AccountAws, client: Client) -> None:
    _instance(client, "open-db", PubliclyAccessible=True)
    fix = _fix("rds-instance-not-public")
    where = _instance_target("open-db")
    assert drill(fix, aws, where) == {"PubliclyAccessible": True}


def test_the_modify_call_does_not_flush_pending_maintenance(
    aws: AccountAws, client: Client
) -> None:
    _instance(client, "pending-db", PubliclyAccessible=True)
    fix = _fix("rds-instance-not-public")
    where = _instance_target("pending-db")
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "rds",
            "modify_db_instance",
            {
                "DBInstanceIdentifier": "pending-db",
                "PubliclyAccessible": False,
                "ApplyImmediately": False,
            },
        )
    ]


def test_a_private_instance_needs_nothing(aws: AccountAws, client: Client) -> None:
    _instance(client, "private-db", PubliclyAccessible=False)
    fix = _fix("rds-instance-not-public")
    where = _instance_target("private-db")
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_a_deleted_instance_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("rds-instance-not-public").read(aws, _instance_target("never-was"))


def test_deletion_protection_on_an_instance(aws: AccountAws, client: Client) -> None:
    _instance(client, "legacy-db")
    fix = _fix("rds-deletion-protection")
    backup = drill(fix, aws, _instance_target("legacy-db"))
    assert backup == {"Engine": "postgres", "DeletionProtection": False}


def test_an_aurora_instance_is_left_to_its_cluster(aws: AccountAws, client: Client) -> None:
    rds = client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="shop-for-instance",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-reader",
        Engine="aurora-mysql",
        DBInstanceClass="db.r5.large",
        DBClusterIdentifier="shop-for-instance",
    )
    fix = _fix("rds-deletion-protection")
    where = _instance_target("aurora-reader")
    current = fix.read(aws, where)
    assert current["DeletionProtection"] is False
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_deletion_protection_on_a_cluster(aws: AccountAws, client: Client) -> None:
    client("rds").create_db_cluster(
        DBClusterIdentifier="scratch",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
    fix = _fix("rds-cluster-deletion-protection")
    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:scratch"
    backup = drill(fix, aws, target("aws.rds.cluster", "scratch", arn))
    assert backup == {"DeletionProtection": False}


def test_a_deleted_cluster_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("rds-cluster-deletion-protection").read(aws, target("aws.rds.cluster", "nope"))


def test_a_public_snapshot_keeps_its_account_shares(aws: AccountAws, client: Client) -> None:
    rds = client("rds")
    _instance(client, "orders-db")
    rds.create_db_snapshot(DBSnapshotIdentifier="leaked", DBInstanceIdentifier="orders-db")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="leaked",
        AttributeName="restore",
        ValuesToAdd=["all", "210987654321"],
    )
    fix = _fix("rds-snapshot-private")
    where = target("aws.rds.snapshot", "leaked")
    assert drill(fix, aws, where) == {"RestoreAttribute": ["210987654321", "all"]}
    fix.apply(aws, where, fix.read(aws, where))
    assert fix.read(aws, where) == {"RestoreAttribute": ["210987654321"]}


def test_a_deleted_snapshot_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("rds-snapshot-private").read(aws, target("aws.rds.snapshot", "nope"))
