"""Fix ``redshift-not-public``: turn off PubliclyAccessible on a Redshift cluster."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import (
    AccountAws,
    ApiCall,
    FixTarget,
    FlagFix,
    ResourceGone,
    error_code,
)
from pacbot.autofix.fixes._registry import FIXES

_GONE = ("ClusterNotFound", "ClusterNotFoundFault")


def _cluster(aws: AccountAws, identifier: str) -> dict[str, Any]:
    try:
        found = aws.client("redshift").describe_clusters(ClusterIdentifier=identifier)
    except ClientError as exc:
        if error_code(exc) in _GONE:
            raise ResourceGone(f"Redshift cluster {identifier} no longer exists") from exc
        raise
    cluster: dict[str, Any] = found["Clusters"][0]
    return cluster


def _modify(target: FixTarget, public: bool) -> ApiCall:
    params = {"ClusterIdentifier": target.name, "PubliclyAccessible": public}
    return ApiCall("redshift", "modify_cluster", params)


@FIXES.register
class RedshiftNotPublic(FlagFix):
    """Makes a Redshift cluster private; rollback makes it public again if it was."""

    name = "redshift-not-public"
    resource_type = "aws.redshift.cluster"
    policies = ("aws-redshift-cluster-not-public",)
    read_permissions = ("redshift:DescribeClusters",)
    write_permissions = ("redshift:ModifyCluster",)
    reversible = True
    backs_up = "the cluster's PubliclyAccessible flag (a pending change counts as made)"
    verifies = "describes the cluster again and requires PubliclyAccessible false (or pending)"
    description = "Make the Redshift cluster not publicly accessible"
    flag = "PubliclyAccessible"
    wanted = False

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """PubliclyAccessible as it is, or as a pending modification will make it."""
        cluster = _cluster(aws, target.name)
        pending = cluster.get("PendingModifiedValues") or {}
        public = pending.get("PubliclyAccessible", cluster.get("PubliclyAccessible"))
        return {"PubliclyAccessible": bool(public)}

    def set_flag(self, target: FixTarget, value: bool) -> ApiCall:
        """ModifyCluster with PubliclyAccessible."""
        return _modify(target, value)
