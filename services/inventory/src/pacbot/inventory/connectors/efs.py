"""EFS file systems: encryption at rest, automatic backups and the file system policy."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    paginate,
    plain,
    policy_document,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

# Metered size and lifecycle state move on their own.
_DROPPED = frozenset({"SizeInBytes", "LifeCycleState", "Tags"})
_GONE = "FileSystemNotFound"


class FileSystemGone(Exception):
    """The file system was deleted between the listing and its description."""


def _policy(call: Any, file_system_id: str) -> dict[str, Any] | None:
    """A backup or file system policy; None when absent (PolicyNotFound)."""
    try:
        response: dict[str, Any] = call(FileSystemId=file_system_id)
    except ClientError as exc:
        if error_code(exc) == _GONE:
            raise FileSystemGone(file_system_id) from exc
        if error_code(exc) == "PolicyNotFound":
            return None
        raise
    response.pop("ResponseMetadata", None)
    return response


def file_system_config(
    file_system: dict[str, Any], backup: dict[str, Any] | None, policy: dict[str, Any] | None
) -> dict[str, Any]:
    """DescribeFileSystems' item plus backup policy and decoded file system policy."""
    config: dict[str, Any] = plain({k: v for k, v in file_system.items() if k not in _DROPPED})
    config.setdefault("KmsKeyId", None)
    config["BackupPolicy"] = backup["BackupPolicy"] if backup else None
    config["FileSystemPolicy"] = policy_document(policy["Policy"]) if policy else None
    config["Tags"] = flatten_tags(file_system.get("Tags"))
    return config


@connector(
    "aws.efs.file_system",
    custodian=("efs",),
    service="efs",
    scope="regional",
    permissions=(
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeBackupPolicy",
        "elasticfilesystem:DescribeFileSystemPolicy",
    ),
    id_field="FileSystemArn",
    name_field="FileSystemId",
)
class EfsFileSystemConnector(Connector):
    """File systems from a paged DescribeFileSystems (tags included); two policies per system."""

    config_shape = ConfigShape(
        api=("efs", "FileSystemDescription"),
        attributes=("BackupPolicy", "FileSystemPolicy"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every file system of the region, fully described."""
        return paginate(scope.client("efs"), "describe_file_systems", "FileSystems")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Backup policy and file system policy (null when absent)."""
        client = scope.client("efs")
        file_system_id: str = resource["FileSystemId"]
        try:
            backup = _policy(client.describe_backup_policy, file_system_id)
            policy = _policy(client.describe_file_system_policy, file_system_id)
        except FileSystemGone:
            return None
        config = file_system_config(resource, backup, policy)
        return DiscoveredAsset(
            asset_id=config["FileSystemArn"],
            name=file_system_id,
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
