"""SSM managed instances: moto does not implement DescribeInstanceInformation or the patch and
compliance calls (measured: HTTP 500), so the connector is exercised with botocore's Stubber on
responses shaped as the SSM API reference documents them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import CONNECTORS, DiscoveredAsset, Scope
from pacbot.inventory.connectors.ssm_patching import PATCH_FILTER, SSM_ATTEMPTS

ACCOUNT = "123456789012"


def _instance(instance_id: str, ping: str, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceId": instance_id,
        "PingStatus": ping,
        "LastPingDateTime": "2026-12-06T05:00:00Z",
        "AgentVersion": "3.3.1142.0",
        "IsLatestVersion": False,
        "PlatformType": "Linux",
        "PlatformName": "Amazon Linux",
        "PlatformVersion": "2023",
        "ResourceType": "EC2Instance",
        "IPAddress": "10.0.1.12",
        "ComputerName": f"{instance_id}.ec2.internal",
        "AssociationStatus": "Success",
        "LastAssociationExecutionDate": "2026-12-06T04:00:00Z",
        **extra,
    }


def _state(instance_id: str, missing: int, failed: int, ended: str) -> dict[str, Any]:
    return {
        "InstanceId": instance_id,
        "PatchGroup": "web",
        "BaselineId": "pb-0c10e65780EXAMPLE",
        "SnapshotId": "6d03d6c5-f79d-41d0-8d0e-00a9aEXAMPLE",
        "InstalledCount": 50,
        "InstalledOtherCount": 3,
        "InstalledPendingRebootCount": 0,
        "InstalledRejectedCount": 0,
        "MissingCount": missing,
        "FailedCount": failed,
        "NotApplicableCount": 400,
        "OperationStartTime": ended,
        "OperationEndTime": ended,
        "Operation": "Scan",
        "CriticalNonCompliantCount": missing,
        "SecurityNonCompliantCount": missing,
        "OtherNonCompliantCount": 0,
    }


def _summary(instance_id: str, status: str, severity: str) -> dict[str, Any]:
    return {
        "ComplianceType": "Patch",
        "ResourceType": "ManagedInstance",
        "ResourceId": instance_id,
        "Status": status,
        "OverallSeverity": severity,
        "ExecutionSummary": {"ExecutionTime": "2026-12-05T06:00:00Z"},
    }


def _scope() -> Scope:
    factory = AwsSessionFactory(endpoint_url="http://127.0.0.1:1")
    return Scope(factory, AccountAccess(ACCOUNT), "us-east-1", "us-east-1")


def _sweep(
    instances: list[dict[str, Any]],
    states: list[list[dict[str, Any]]],
    summaries: list[dict[str, Any]],
    tags: Sequence[dict[str, str]] = (),
) -> dict[str, DiscoveredAsset]:
    scope = _scope()
    connector = CONNECTORS.get("aws.ssm.managed_instance")()
    ids = [i["InstanceId"] for i in instances]
    ec2_ids = [i["InstanceId"] for i in instances if i["ResourceType"] == "EC2Instance"]
    with (
        Stubber(scope.client("ssm", max_attempts=SSM_ATTEMPTS)) as stub,
        Stubber(scope.client("ec2")) as ec2,
    ):
        ec2.add_response(
            "describe_tags",
            {"Tags": list(tags)},
            {"Filters": [{"Name": "resource-id", "Values": ec2_ids}]},
        )
        stub.add_response(
            "describe_instance_information", {"InstanceInformationList": instances}, {}
        )
        for start, batch in zip(range(0, len(ids), 50), states, strict=True):
            stub.add_response(
                "describe_instance_patch_states",
                {"InstancePatchStates": batch},
                {"InstanceIds": ids[start : start + 50]},
            )
        stub.add_response(
            "list_resource_compliance_summaries",
            {"ResourceComplianceSummaryItems": summaries},
            {"Filters": PATCH_FILTER},
        )
        listed = connector.list_resources(scope)
        stub.assert_no_pending_responses()
        ec2.assert_no_pending_responses()
    found = [connector.describe(scope, item) for item in listed]
    return {a.name: a for a in found if a is not None}


def test_patched_online_instance_vs_missing_patches_and_lost_agent() -> None:
    found = _sweep(
        [
            _instance("i-0aaaaaaaaaaaaaaa1", "Online"),
            _instance("i-0bbbbbbbbbbbbbbb2", "ConnectionLost"),
            _instance("mi-0ccccccccccccccc3", "Online", ResourceType="ManagedInstance"),
        ],
        [
            [
                _state("i-0aaaaaaaaaaaaaaa1", 0, 0, "2026-12-05T06:00:00Z"),
                _state("i-0bbbbbbbbbbbbbbb2", 7, 2, "2026-09-01T06:00:00Z"),
            ]
        ],
        [
            _summary("i-0aaaaaaaaaaaaaaa1", "COMPLIANT", "UNSPECIFIED"),
            _summary("i-0bbbbbbbbbbbbbbb2", "NON_COMPLIANT", "CRITICAL"),
        ],
        [
            {
                "Key": "Owner",
                "ResourceId": "i-0aaaaaaaaaaaaaaa1",
                "ResourceType": "instance",
                "Value": "web-team",
            }
        ],
    )

    good = found["i-0aaaaaaaaaaaaaaa1.ec2.internal"]
    assert good.asset_id == f"arn:aws:ssm:us-east-1:{ACCOUNT}:managed-instance/i-0aaaaaaaaaaaaaaa1"
    assert good.config["Ec2InstanceArn"] == (
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0aaaaaaaaaaaaaaa1"
    )
    assert good.config["PingStatus"] == "Online"
    assert good.config["PatchComplianceStatus"] == "COMPLIANT"
    assert good.config["PatchState"]["MissingCount"] == 0
    assert good.config["PatchState"]["OperationEndTime"] == "2026-12-05T06:00:00Z"
    assert "SnapshotId" not in good.config["PatchState"]
    assert "LastPingDateTime" not in good.config
    assert "IPAddress" not in good.config
    assert (good.owner, good.config["Tags"]) == ("web-team", {"Owner": "web-team"})
    bad = found["i-0bbbbbbbbbbbbbbb2.ec2.internal"].config
    assert bad["PingStatus"] == "ConnectionLost"
    assert (bad["PatchState"]["MissingCount"], bad["PatchState"]["FailedCount"]) == (7, 2)
    assert (bad["PatchComplianceStatus"], bad["PatchComplianceSeverity"]) == (
        "NON_COMPLIANT",
        "CRITICAL",
    )
    hybrid = found["mi-0ccccccccccccccc3.ec2.internal"].config
    assert hybrid["Ec2InstanceArn"] is None
    assert (bad["Tags"], hybrid["Tags"]) == ({}, {})
    assert (hybrid["PatchState"], hybrid["PatchComplianceStatus"]) == (None, None)


def test_patch_states_are_asked_fifty_instances_at_a_time() -> None:
    instances = [_instance(f"i-{n:017x}", "Online") for n in range(70)]
    states = [
        [_state(i["InstanceId"], 0, 0, "2026-12-05T06:00:00Z") for i in instances[:50]],
        [_state(i["InstanceId"], 1, 0, "2026-12-05T06:00:00Z") for i in instances[50:]],
    ]
    found = _sweep(instances, states, [])
    assert len(found) == 70
    assert sum(a.config["PatchState"]["MissingCount"] for a in found.values()) == 20


def test_moto_lacks_the_managed_instance_api(moto_url: str) -> None:
    factory = AwsSessionFactory(endpoint_url=moto_url, max_attempts=1)
    scope = Scope(factory, AccountAccess(ACCOUNT), "us-east-1", "us-east-1")
    # Measured on moto 5.2.5: DescribeInstanceInformation is not implemented (HTTP 500), so
    # every sweep of the type fails on moto; recorded in the estate's SWEEP_ERRORS.
    with pytest.raises(ClientError, match="500"):
        CONNECTORS.get("aws.ssm.managed_instance")().list_resources(scope)
