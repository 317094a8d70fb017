"""CIS AWS Foundations v3.0 section 4.1-4.15: each log pattern and the events that define it.

A metric filter satisfies a control when it matches every ``catches`` event and none of the
``ignores`` events. The probes are chosen so that the benchmark's own pattern and the variants
the benchmark or Prowler accept (the SSO form of 4.2, the older 4.1, 4.13 with or without the
eventSource term) all agree on them, while a filter that misses an event name, tests the wrong
field, or matches everything does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pacbot.inventory.connectors._filter_pattern import (
    FilterPatternError,
    Matcher,
    compile_pattern,
)

Event = Mapping[str, Any]


@dataclass(frozen=True)
class CisLogControl:
    """One CIS monitoring control: its title, the benchmark's pattern and its probe events."""

    control: str
    title: str
    pattern: str
    catches: tuple[Event, ...]
    ignores: tuple[Event, ...]

    def satisfied_by(self, filter_pattern: str) -> bool:
        """Whether a metric filter with this pattern catches exactly what the control needs."""
        try:
            matches: Matcher = compile_pattern(filter_pattern)
        except FilterPatternError:
            return False
        return all(matches(e) for e in self.catches) and not any(matches(e) for e in self.ignores)


def _calls(source: str, names: Sequence[str], **extra: Any) -> tuple[Event, ...]:
    return tuple({"eventSource": source, "eventName": n, **extra} for n in names)


def _any_of(names: Sequence[str], source: str | None = None, quoted: bool = False) -> str:
    quote = '"' if quoted else ""
    alternatives = " || ".join(f"($.eventName = {quote}{n}{quote})" for n in names)
    if source is None:
        return f"{{ {alternatives} }}"
    return f"{{ ($.eventSource = {source}) && ({alternatives}) }}"


def _control(
    control: str,
    title: str,
    names: Sequence[str],
    source: str,
    benign: Sequence[str],
    *,
    scoped: bool = False,
    quoted: bool = False,
) -> CisLogControl:
    """A control that watches a list of API calls of one service (``scoped``: by eventSource)."""
    return CisLogControl(
        control,
        title,
        _any_of(names, source if scoped else None, quoted),
        _calls(source, names),
        _calls(source, benign),
    )


IAM_POLICY_CALLS = [
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
]
S3_POLICY_CALLS = [
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
]
ORGANIZATIONS_CALLS = [
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
]
VPC_CALLS = [
    "CreateVpc",
    "DeleteVpc",
    "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection",
    "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection",
    "AttachClassicLinkVpc",
    "DetachClassicLinkVpc",
    "DisableVpcClassicLink",
    "EnableVpcClassicLink",
]
ROUTE_CALLS = [
    "CreateRoute",
    "CreateRouteTable",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "DeleteRouteTable",
    "DeleteRoute",
    "DisassociateRouteTable",
]
_USER = {"userIdentity": {"type": "IAMUser"}, "sourceIPAddress": "198.51.100.7"}
_LOGIN = {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", **_USER}
_ROOT = {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}

CIS_LOG_CONTROLS: tuple[CisLogControl, ...] = (
    CisLogControl(
        "4.1",
        "unauthorized API calls",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
        (
            {"eventName": "RunInstances", "errorCode": "Client.UnauthorizedOperation", **_USER},
            {"eventName": "GetObject", "errorCode": "AccessDenied", **_USER},
            {"eventName": "ListKeys", "errorCode": "AccessDeniedException", **_USER},
        ),
        ({"eventName": "HeadBucket", "sourceIPAddress": "delivery.logs.amazonaws.com"},),
    ),
    CisLogControl(
        "4.2",
        "Management Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
        (
            {
                **_LOGIN,
                "additionalEventData": {"MFAUsed": "No"},
                "responseElements": {"ConsoleLogin": "Success"},
            },
        ),
        (
            {
                **_LOGIN,
                "additionalEventData": {"MFAUsed": "Yes"},
                "responseElements": {"ConsoleLogin": "Success"},
            },
            {**_LOGIN, "eventName": "GetSigninToken", "additionalEventData": {"MFAUsed": "No"}},
        ),
    ),
    CisLogControl(
        "4.3",
        "usage of the root account",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.eventType != "AwsServiceEvent" }',
        (
            {"userIdentity": _ROOT, "eventType": "AwsApiCall", "eventName": "CreateUser"},
            {"userIdentity": _ROOT, "eventType": "AwsConsoleSignIn", "eventName": "ConsoleLogin"},
        ),
        (
            {
                "userIdentity": {**_ROOT, "invokedBy": "support.amazonaws.com"},
                "eventType": "AwsApiCall",
                "eventName": "DescribeTrustedAdvisorChecks",
            },
            {"userIdentity": _ROOT, "eventType": "AwsServiceEvent", "eventName": "Heartbeat"},
            {"userIdentity": {"type": "IAMUser"}, "eventType": "AwsApiCall", "eventName": "X"},
        ),
    ),
    _control("4.4", "IAM policy changes", IAM_POLICY_CALLS, "iam.amazonaws.com", ["GetPolicy"]),
    _control(
        "4.5",
        "CloudTrail configuration changes",
        ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"],
        "cloudtrail.amazonaws.com",
        ["DescribeTrails", "GetTrailStatus"],
    ),
    CisLogControl(
        "4.6",
        "Management Console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        ({**_LOGIN, "errorMessage": "Failed authentication"},),
        ({**_LOGIN, "responseElements": {"ConsoleLogin": "Success"}},),
    ),
    _control(
        "4.7",
        "disabling or scheduled deletion of customer created CMKs",
        ["DisableKey", "ScheduleKeyDeletion"],
        "kms.amazonaws.com",
        ["EnableKey", "CreateKey", "Decrypt"],
        scoped=True,
    ),
    _control(
        "4.8",
        "S3 bucket policy changes",
        S3_POLICY_CALLS,
        "s3.amazonaws.com",
        ["GetBucketPolicy", "ListBuckets"],
        scoped=True,
    ),
    _control(
        "4.9",
        "AWS Config configuration changes",
        [
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ],
        "config.amazonaws.com",
        ["DescribeConfigurationRecorders", "StartConfigurationRecorder"],
        scoped=True,
    ),
    _control(
        "4.10",
        "security group changes",
        [
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ],
        "ec2.amazonaws.com",
        ["DescribeSecurityGroups", "RunInstances"],
    ),
    _control(
        "4.11",
        "changes to Network Access Control Lists (NACL)",
        [
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ],
        "ec2.amazonaws.com",
        ["DescribeNetworkAcls"],
    ),
    _control(
        "4.12",
        "changes to network gateways",
        [
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ],
        "ec2.amazonaws.com",
        ["DescribeInternetGateways"],
    ),
    _control(
        "4.13", "route table changes", ROUTE_CALLS, "ec2.amazonaws.com", ["DescribeRouteTables"]
    ),
    _control("4.14", "VPC changes", VPC_CALLS, "ec2.amazonaws.com", ["DescribeVpcs"]),
    _control(
        "4.15",
        "AWS Organizations changes",
        ORGANIZATIONS_CALLS,
        "organizations.amazonaws.com",
        ["DescribeOrganization", "ListAccounts"],
        scoped=True,
        quoted=True,
    ),
)
