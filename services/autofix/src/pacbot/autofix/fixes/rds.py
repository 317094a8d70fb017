"""RDS fixes: instances not public, snapshots not public, deletion protection on instances and
clusters.

PubliclyAccessible and DeletionProtection take effect immediately whatever ``ApplyImmediately``
says (ModifyDBInstance / ModifyDBCluster reference), so every modify call passes
``ApplyImmediately=False``: True would also push any change the owner queued for the maintenance
window (a class or engine change, with its reboot), which is not this fix's to make.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import (
    AccountAws,
    ApiCall,
    Fix,
    FixTarget,
    FlagFix,
    ResourceGone,
    error_code,
)
from pacbot.autofix.fixes._registry import FIXES

_INSTANCE_GONE = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
_CLUSTER_GONE = ("DBClusterNotFound", "DBClusterNotFoundFault")
_SNAPSHOT_GONE = ("DBSnapshotNotFound", "DBSnapshotNotFoundFault")
_AURORA = re.compile(r"^aurora")
PUBLIC = "all"


def _describe(call: Any, key: str, gone: tuple[str, ...], what: str, **kwargs: Any) -> Any:
    """The one item a Describe* call returns; ResourceGone when AWS says it does not exist."""
    try:
        return call(**kwargs)[key][0]
    except ClientError as exc:
        if error_code(exc) in gone:
            raise ResourceGone(f"{what} no longer exists") from exc
        raise


def _instance(aws: AccountAws, identifier: str) -> dict[str, Any]:
    rds = aws.client("rds")
    found: dict[str, Any] = _describe(
        rds.describe_db_instances,
        "DBInstances",
        _INSTANCE_GONE,
        f"DB instance {identifier}",
        DBInstanceIdentifier=identifier,
    )
    return found


def _modify_instance(target: FixTarget, **changes: Any) -> ApiCall:
    params = {"DBInstanceIdentifier": target.name, **changes, "ApplyImmediately": False}
    return ApiCall("rds", "modify_db_instance", params)


@FIXES.register
class RdsInstanceNotPublic(FlagFix):
    """Turns off PubliclyAccessible on a DB instance; rollback turns it back on."""

    name = "rds-instance-not-public"
    resource_type = "aws.rds.instance"
    policies = ("aws-rds-instance-not-public",)
    read_permissions = ("rds:DescribeDBInstances",)
    write_permissions = ("rds:ModifyDBInstance",)
    reversible = True
    backs_up = "the instance's PubliclyAccessible flag"
    verifies = "describes the instance again and requires PubliclyAccessible false"
    description = "Make the RDS DB instance not publicly accessible"
    flag = "PubliclyAccessible"
    wanted = False

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The instance's PubliclyAccessible flag."""
        instance = _instance(aws, target.name)
        return {"PubliclyAccessible": bool(instance.get("PubliclyAccessible"))}

    def set_flag(self, target: FixTarget, value: bool) -> ApiCall:
        """ModifyDBInstance with PubliclyAccessible."""
        return _modify_instance(target, PubliclyAccessible=value)


@FIXES.register
class RdsInstanceDeletionProtection(FlagFix):
    """Turns on deletion protection on a non-Aurora DB instance (Aurora sets it on the cluster)."""

    name = "rds-deletion-protection"
    resource_type = "aws.rds.instance"
    policies = ("aws-rds-instance-deletion-protection",)
    read_permissions = ("rds:DescribeDBInstances",)
    write_permissions = ("rds:ModifyDBInstance",)
    reversible = True
    backs_up = "the instance's engine and DeletionProtection flag"
    verifies = "describes the instance again and requires DeletionProtection true"
    description = "Enable deletion protection on the RDS DB instance"
    flag = "DeletionProtection"
    wanted = True

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The instance's engine and DeletionProtection flag."""
        instance = _instance(aws, target.name)
        return {
            "Engine": instance.get("Engine"),
            "DeletionProtection": bool(instance.get("DeletionProtection")),
        }

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Deletion protection is on, or the instance is Aurora (protected at the cluster)."""
        aurora = bool(_AURORA.match(str(current.get("Engine") or "")))
        return aurora or super().is_compliant(current, target)

    def set_flag(self, target: FixTarget, value: bool) -> ApiCall:
        """ModifyDBInstance with DeletionProtection."""
        return _modify_instance(target, DeletionProtection=value)


@FIXES.register
class RdsClusterDeletionProtection(FlagFix):
    """Turns on deletion protection on a DB cluster; rollback restores the old flag."""

    name = "rds-cluster-deletion-protection"
    resource_type = "aws.rds.cluster"
    policies = ("aws-rds-cluster-deletion-protection",)
    read_permissions = ("rds:DescribeDBClusters",)
    write_permissions = ("rds:ModifyDBCluster",)
    reversible = True
    backs_up = "the cluster's DeletionProtection flag"
    verifies = "describes the cluster again and requires DeletionProtection true"
    description = "Enable deletion protection on the RDS DB cluster"
    flag = "DeletionProtection"
    wanted = True

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The cluster's DeletionProtection flag."""
        cluster = _describe(
            aws.client("rds").describe_db_clusters,
            "DBClusters",
            _CLUSTER_GONE,
            f"DB cluster {target.name}",
            DBClusterIdentifier=target.name,
        )
        return {"DeletionProtection": bool(cluster.get("DeletionProtection"))}

    def set_flag(self, target: FixTarget, protected: bool) -> ApiCall:
        """ModifyDBCluster with DeletionProtection."""
        params = {
            "DBClusterIdentifier": target.name,
            "DeletionProtection": protected,
            "ApplyImmediately": False,
        }
        return ApiCall("rds", "modify_db_cluster", params)


@FIXES.register
class RdsSnapshotPrivate(Fix):
    """Removes "all" from a manual DB snapshot's restore attribute; accounts it names stay."""

    name = "rds-snapshot-private"
    resource_type = "aws.rds.snapshot"
    policies = ("aws-rds-snapshot-not-public",)
    read_permissions = ("rds:DescribeDBSnapshotAttributes",)
    write_permissions = ("rds:ModifyDBSnapshotAttribute",)
    reversible = True
    backs_up = "the snapshot's restore attribute (the accounts, or all, that may restore it)"
    verifies = 'reads the restore attribute back and requires it not to contain "all"'
    description = "Make the RDS DB snapshot private (stop sharing it with all accounts)"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The restore attribute's values, sorted."""
        rds = aws.client("rds")
        try:
            answer = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=target.name)
        except ClientError as exc:
            if error_code(exc) in _SNAPSHOT_GONE:
                raise ResourceGone(f"DB snapshot {target.name} no longer exists") from exc
            raise
        attributes = answer.get("DBSnapshotAttributesResult", {}).get("DBSnapshotAttributes", [])
        values = {
            value
            for attribute in attributes
            if attribute.get("AttributeName") == "restore"
            for value in attribute.get("AttributeValues") or []
        }
        return {"RestoreAttribute": sorted(values)}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The restore attribute does not contain "all"."""
        return PUBLIC not in current.get("RestoreAttribute", [])

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """Remove "all" from the restore attribute, unless it is not there."""
        if self.is_compliant(current, target):
            return []
        return [self._modify(target, "ValuesToRemove")]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put "all" back when the backup had it (accounts shared since are left alone)."""
        was_public = PUBLIC in backup.get("RestoreAttribute", [])
        if was_public == (PUBLIC in current.get("RestoreAttribute", [])):
            return []
        return [self._modify(target, "ValuesToAdd" if was_public else "ValuesToRemove")]

    @staticmethod
    def _modify(target: FixTarget, change: str) -> ApiCall:
        params = {"DBSnapshotIdentifier": target.name, "AttributeName": "restore", change: [PUBLIC]}
        return ApiCall("rds", "modify_db_snapshot_attribute", params)
