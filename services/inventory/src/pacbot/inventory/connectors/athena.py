"""Athena workgroups: result encryption, enforced settings, metrics and the per-query scan limit."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)


def _work_group(client: Any, name: str) -> dict[str, Any] | None:
    """GetWorkGroup's workgroup, or None when it no longer exists."""
    try:
        answer: dict[str, Any] = client.get_work_group(WorkGroup=name)
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", "")).lower()
        if error_code(exc) == "InvalidRequestException" and "not found" in message:
            return None
        raise
    found: dict[str, Any] | None = answer.get("WorkGroup")
    return found


def work_group_config(group: dict[str, Any], arn: str, tags: dict[str, str]) -> dict[str, Any]:
    """The workgroup with its ARN; the encryption and enforcement flags always present."""
    config: dict[str, Any] = plain(group)
    config["Arn"] = arn
    settings = config.setdefault("Configuration", {})
    results = settings.setdefault("ResultConfiguration", {})
    results.setdefault("EncryptionConfiguration", None)
    settings.setdefault("EnforceWorkGroupConfiguration", False)
    settings.setdefault("PublishCloudWatchMetricsEnabled", False)
    settings.setdefault("BytesScannedCutoffPerQuery", None)
    config["Tags"] = tags
    return config


@connector(
    "aws.athena.workgroup",
    custodian=(),
    service="athena",
    scope="regional",
    permissions=(
        "athena:ListWorkGroups",
        "athena:GetWorkGroup",
        "athena:ListTagsForResource",
    ),
    id_field="Arn",
    name_field="Name",
)
class AthenaWorkGroupConnector(Connector):
    """Workgroups from a paged ListWorkGroups (primary included); settings and tags per group."""

    config_shape = ConfigShape(api=("athena", "WorkGroup"), attributes=("Arn", "Tags"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every workgroup of the region (summaries)."""
        return paginate(scope.client("athena"), "list_work_groups", "WorkGroups")

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The workgroup's configuration and tags; None when it was deleted meanwhile."""
        client = scope.client("athena")
        name: str = resource["Name"]
        group = _work_group(client, name)
        if group is None:
            return None
        arn = f"arn:aws:athena:{scope.region}:{scope.account_id}:workgroup/{name}"
        tags = flatten_tags(paginate(client, "list_tags_for_resource", "Tags", ResourceARN=arn))
        config = work_group_config(group, arn, tags)
        return DiscoveredAsset(
            asset_id=arn, name=name, region=scope.region, config=config, tags=tags
        )
