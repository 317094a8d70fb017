"""Organizations SCPs through the connector: an attached guardrail vs a detached allow-all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import Scope
from pacbot.inventory.connectors.organizations import service_control_policies

DENY_LEAVE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
}
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def test_no_organization_means_no_policies(discover: Any) -> None:
    assert discover("aws.organizations.policy") == {}


def test_attached_guardrail_and_detached_allow_all(aws: Any, discover: Any) -> None:
    org = aws("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def scp(name: str, content: dict[str, Any], **extra: Any) -> str:
        answer = org.create_policy(
            Name=name,
            Description=name,
            Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(content),
            **extra,
        )
        return str(answer["Policy"]["PolicySummary"]["Id"])

    guardrail = scp("deny-leave", DENY_LEAVE, Tags=[{"Key": "Owner", "Value": "cloud-gov"}])
    org.attach_policy(PolicyId=guardrail, TargetId=root)
    scp("allow-all-copy", ALLOW_ALL)

    found = {a.name: a for a in discover("aws.organizations.policy").values()}

    assert set(found) == {"FullAWSAccess", "deny-leave", "allow-all-copy"}
    good = found["deny-leave"]
    assert good.asset_id.startswith("arn:aws:organizations::123456789012:policy/o-")
    assert good.region == "global"
    assert good.owner == "cloud-gov"
    assert good.config["Content"] == DENY_LEAVE
    assert [(t["Type"], t["TargetId"]) for t in good.config["Targets"]] == [("ROOT", root)]
    bad = found["allow-all-copy"].config
    assert (bad["AwsManaged"], bad["Targets"], bad["Content"]) == (False, [], ALLOW_ALL)
    managed = found["FullAWSAccess"].config
    assert managed["AwsManaged"] is True
    assert managed["Tags"] == {}


def test_a_member_account_that_may_not_list_policies_has_none() -> None:
    factory = AwsSessionFactory(endpoint_url="http://127.0.0.1:1")
    scope = Scope(factory, AccountAccess("210987654321"), "global", "us-east-1")
    client = scope.client("organizations")
    organization = {"Id": "o-abc1234567", "MasterAccountId": "123456789012"}
    with Stubber(client) as stub:
        stub.add_response("describe_organization", {"Organization": organization}, {})
        stub.add_client_error("list_policies", "AccessDeniedException")
        assert service_control_policies(client, "210987654321") == []
        stub.add_response("describe_organization", {"Organization": organization}, {})
        stub.add_client_error("list_policies", "AccessDeniedException")
        with pytest.raises(ClientError, match="AccessDenied"):  # a real failure of the sweep
            service_control_policies(client, "123456789012")
