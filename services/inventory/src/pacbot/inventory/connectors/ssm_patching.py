"""SSM managed instances: agent status and patch compliance of each instance SSM manages.

DescribeInstanceInformation lists the instances; DescribeInstancePatchStates (50 ids a call)
gives each one's patch counts and last patch operation; ListResourceComplianceSummaries gives
the Patch compliance status SSM derived from them; EC2's DescribeTags gives an EC2 instance's
tags (so its Owner owns the patch violations too). All are batch calls per region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_BATCH = 50  # DescribeInstancePatchStates takes at most 50 instance ids
SSM_ATTEMPTS = 4  # standard-mode attempts of the SSM client (see list_resources)
_TAG_BATCH = 200  # values of one DescribeTags filter
PATCH_FILTER = [{"Key": "ComplianceType", "Values": ["Patch"], "Type": "EQUAL"}]
_MOVING = frozenset(
    {
        "LastPingDateTime",
        "LastAssociationExecutionDate",
        "LastSuccessfulAssociationExecutionDate",
        "AssociationOverview",
        "IPAddress",
    }
)
"""Fields of DescribeInstanceInformation that change without any change of configuration."""
_COUNTS = (
    "MissingCount",
    "FailedCount",
    "InstalledPendingRebootCount",
    "InstalledRejectedCount",
    "CriticalNonCompliantCount",
    "SecurityNonCompliantCount",
)


def managed_instance_arn(region: str, account_id: str, instance_id: str) -> str:
    """The asset id of a managed instance (SSM's own ARN shape for one)."""
    return f"arn:aws:ssm:{region}:{account_id}:managed-instance/{instance_id}"


def patch_state(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """DescribeInstancePatchStates' item without the snapshot id that changes on every run."""
    if state is None:
        return None
    shaped: dict[str, Any] = plain(
        {k: v for k, v in state.items() if k not in {"InstanceId", "SnapshotId"}}
    )
    for count in _COUNTS:
        shaped.setdefault(count, 0)
    return shaped


def instance_config(
    item: Mapping[str, Any],
    state: Mapping[str, Any] | None,
    compliance: Mapping[str, Any] | None,
    region: str,
    account_id: str,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One managed instance: its SSM registration, patch state and Patch compliance."""
    instance_id = str(item["InstanceId"])
    config: dict[str, Any] = plain({k: v for k, v in item.items() if k not in _MOVING})
    config["Arn"] = managed_instance_arn(region, account_id, instance_id)
    config["Name"] = item.get("ComputerName") or item.get("Name") or instance_id
    config["Ec2InstanceArn"] = (
        f"arn:aws:ec2:{region}:{account_id}:instance/{instance_id}"
        if item.get("ResourceType") == "EC2Instance"
        else None
    )
    config["PatchState"] = patch_state(state)
    config["PatchComplianceStatus"] = compliance.get("Status") if compliance else None
    config["PatchComplianceSeverity"] = compliance.get("OverallSeverity") if compliance else None
    config["Tags"] = dict(tags or {})
    return config


def instance_tags(scope: Scope, instance_ids: list[str]) -> dict[str, dict[str, str]]:
    """EC2 tags of the given instances, by instance id (hybrid nodes have none here)."""
    tags: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(instance_ids), _TAG_BATCH):
        batch = instance_ids[start : start + _TAG_BATCH]
        where = [{"Name": "resource-id", "Values": batch}]
        for tag in paginate(scope.client("ec2"), "describe_tags", "Tags", Filters=where):
            tags.setdefault(tag["ResourceId"], []).append(tag)
    return {instance: flatten_tags(found) for instance, found in tags.items()}


@connector(
    "aws.ssm.managed_instance",
    custodian=("ssm-managed-instance",),
    service="ssm",
    scope="regional",
    permissions=(
        "ssm:DescribeInstanceInformation",
        "ssm:DescribeInstancePatchStates",
        "ssm:ListResourceComplianceSummaries",
        "ec2:DescribeTags",
    ),
    id_field="Arn",
    name_field="Name",
)
class SsmManagedInstanceConnector(Connector):
    """Managed instances with agent ping status, patch counts, last patch run and compliance."""

    config_shape = ConfigShape(
        api=("ssm", "InstanceInformation"),
        attributes=(
            "Arn",
            "Ec2InstanceArn",
            "PatchComplianceSeverity",
            "PatchComplianceStatus",
            "PatchState",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The region's managed instances, each joined with its patch state and compliance.

        SSM gets a budget of ``SSM_ATTEMPTS``, not the default 10 adaptive ones: a server error
        fails the sweep in seconds (it runs again at its next cadence and deletes nothing)
        instead of holding a worker through a minute and a half of backoff."""
        client = scope.client("ssm", max_attempts=SSM_ATTEMPTS)
        instances = paginate(client, "describe_instance_information", "InstanceInformationList")
        ids = [i["InstanceId"] for i in instances]
        states: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            for state in paginate(
                client, "describe_instance_patch_states", "InstancePatchStates", InstanceIds=batch
            ):
                states[state["InstanceId"]] = state
        summaries = paginate(
            client,
            "list_resource_compliance_summaries",
            "ResourceComplianceSummaryItems",
            Filters=PATCH_FILTER,
        )
        compliance = {s["ResourceId"]: s for s in summaries if s.get("ComplianceType") == "Patch"}
        ec2_ids = [i["InstanceId"] for i in instances if i.get("ResourceType") == "EC2Instance"]
        tags = instance_tags(scope, ec2_ids)
        return [
            {
                "Instance": i,
                "PatchState": states.get(i["InstanceId"]),
                "PatchCompliance": compliance.get(i["InstanceId"]),
                "Tags": tags.get(i["InstanceId"], {}),
            }
            for i in instances
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The joined listing as one config document."""
        config = instance_config(
            resource["Instance"],
            resource["PatchState"],
            resource["PatchCompliance"],
            scope.region,
            scope.account_id,
            resource["Tags"],
        )
        return DiscoveredAsset(
            asset_id=config["Arn"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=config["Tags"],
        )
