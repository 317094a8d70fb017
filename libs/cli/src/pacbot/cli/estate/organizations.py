"""Organizations: the estate account runs an organization with a guardrail SCP and two bad ones."""

from __future__ import annotations

import json
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

POLICY = "aws.organizations.policy"
_DENY_LEAVE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
            "Resource": "*",
        },
    ],
}
_ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def seed(account: Account) -> list[Seeded]:
    """The organization's SCPs (AWS's FullAWSAccess included) with what each must fail."""
    org = account.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def scp(name: str, content: dict[str, Any], attached: bool) -> str:
        summary = org.create_policy(
            Name=account.name_of(name),
            Description=name,
            Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(content),
            Tags=[{"Key": "Owner", "Value": "cloud-governance"}],
        )["Policy"]["PolicySummary"]
        if attached:
            org.attach_policy(PolicyId=summary["Id"], TargetId=root)
        return str(summary["Arn"])

    managed = next(
        p["Arn"]
        for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
        if p.get("AwsManaged")
    )
    return [
        seeded(POLICY, managed),
        seeded(POLICY, scp("baseline-guardrails", _DENY_LEAVE, attached=True)),
        seeded(
            POLICY,
            scp("draft-guardrails", _DENY_LEAVE, attached=False),
            {"aws-organizations-scp-attached"},
        ),
        seeded(
            POLICY,
            scp("allow-all-copy", _ALLOW_ALL, attached=True),
            {"aws-organizations-scp-restrictive"},
        ),
    ]
