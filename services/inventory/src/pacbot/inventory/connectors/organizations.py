"""AWS Organizations service control policies: their statements and where they are attached.

SCPs live in the organization's management account (and are readable from a delegated
administrator). An account outside any organization has none; a member account that may not
read them is not where they live, so both sweep to no assets rather than failing.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

SCP = "SERVICE_CONTROL_POLICY"
_GONE = ("PolicyNotFoundException",)


def _organization(client: Any) -> dict[str, Any] | None:
    """The account's organization, or None when the account belongs to none."""
    answer = optional(client.describe_organization, ("AWSOrganizationsNotInUseException",))
    return None if answer is None else dict(answer["Organization"])


def service_control_policies(client: Any, account_id: str) -> list[dict[str, Any]]:
    """Every SCP summary the account can read; [] outside an organization or in a plain member."""
    organization = _organization(client)
    if organization is None:
        return []
    try:
        return paginate(client, "list_policies", "Policies", Filter=SCP)
    except ClientError as exc:
        member = organization.get("MasterAccountId") != account_id
        if member and error_code(exc) == "AccessDeniedException":
            return []  # SCPs are read in the management account or a delegated administrator
        raise


def policy_config(
    policy: dict[str, Any], targets: list[dict[str, Any]], tags: dict[str, str]
) -> dict[str, Any]:
    """DescribePolicy's summary with its decoded content and its targets (sorted by id)."""
    summary = policy["PolicySummary"]
    content = policy.get("Content")
    config: dict[str, Any] = plain(summary)
    config["Content"] = json.loads(content) if isinstance(content, str) else content
    config["Targets"] = sorted(
        (plain(t) for t in targets), key=lambda t: (str(t.get("Type")), str(t.get("TargetId")))
    )
    config["Tags"] = tags
    return config


@connector(
    "aws.organizations.policy",
    custodian=(),
    service="organizations",
    scope="global",
    permissions=(
        "organizations:DescribeOrganization",
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTargetsForPolicy",
        "organizations:ListTagsForResource",
    ),
    id_field="Arn",
    name_field="Name",
)
class OrganizationsPolicyConnector(Connector):
    """Service control policies from ListPolicies; content, targets and tags per policy."""

    config_shape = ConfigShape(
        api=("organizations", "PolicySummary"),
        attributes=("Content", "Tags", "Targets"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Every SCP of the account's organization, when this account can read them."""
        return service_control_policies(scope.client("organizations"), scope.account_id)

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Content, targets and tags (AWS-managed policies carry none); None when deleted."""
        client = scope.client("organizations")
        policy_id: str = resource["Id"]
        described = optional(client.describe_policy, _GONE, PolicyId=policy_id)
        if described is None:
            return None
        targets = paginate(client, "list_targets_for_policy", "Targets", PolicyId=policy_id)
        tags: dict[str, str] = {}
        if not resource.get("AwsManaged"):
            tags = flatten_tags(
                paginate(client, "list_tags_for_resource", "Tags", ResourceId=policy_id)
            )
        config = policy_config(described["Policy"], targets, tags)
        return DiscoveredAsset(
            asset_id=config["Arn"],
            name=config["Name"],
            region=scope.region,
            config=config,
            tags=tags,
        )
