"""IAM: users, groups, roles, customer-managed policies, server certificates, account settings.

IAM is global, so these live once per account. The password policy and the root account facts
are account singletons: the estate account gets a strong password policy, and the second
("lax") account none, so both verdicts are seeded without one account masking the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pacbot.cli.estate._model import SIMULATED_PASSWORD, Account, Seeded, seeded
from pacbot.cli.estate.certificates import self_signed

USER = "aws.iam.user"
GROUP = "aws.iam.group"
ROLE = "aws.iam.role"
POLICY = "aws.iam.policy"
SERVER_CERTIFICATE = "aws.iam.server_certificate"
PASSWORD_POLICY = "aws.iam.password_policy"  # noqa: S105 - a resource type
ACCOUNT_SUMMARY = "aws.iam.account_summary"

ROOT_GAPS = ("aws-iam-root-mfa-enabled", "aws-iam-root-hardware-mfa")
PASSWORD_POLICIES = (
    "aws-iam-password-policy-max-age",
    "aws-iam-password-policy-min-length",
    "aws-iam-password-policy-require-lowercase",
    "aws-iam-password-policy-require-numbers",
    "aws-iam-password-policy-require-symbols",
    "aws-iam-password-policy-require-uppercase",
    "aws-iam-password-policy-reuse-prevention",
)


def document(*statements: dict[str, Any]) -> str:
    """A policy document from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ_LOGS = document(
    {"Effect": "Allow", "Action": ["logs:GetLogEvents", "logs:DescribeLogGroups"], "Resource": "*"}
)


def trust(principal: dict[str, Any] | str) -> str:
    """A trust policy letting ``principal`` assume the role."""
    return document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


@dataclass
class Identities:
    """The IAM pieces other modules use."""

    instance_profile: str
    service_role_arn: str
    seeded: list[Seeded]


def seed(account: Account) -> Identities:
    """Every IAM resource of the estate account."""
    iam = account.client("iam")
    found: list[Seeded] = []
    policies = _policies(account, found)
    _groups(account, policies["deploy"], found)
    _users(account, policies["deploy"], found)
    role_arn = _roles(account, policies, found)
    iam.create_instance_profile(InstanceProfileName=account.name_of("app"))
    iam.add_role_to_instance_profile(
        InstanceProfileName=account.name_of("app"), RoleName=account.name_of("app")
    )
    _server_certificates(account, found)
    iam.update_account_password_policy(
        MinimumPasswordLength=16,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    found.append(seeded(PASSWORD_POLICY, _password_policy_arn(account)))
    found.append(seeded(ACCOUNT_SUMMARY, _summary_arn(account), gaps=ROOT_GAPS))
    return Identities(account.name_of("app"), role_arn, found)


def lax(account: Account) -> list[Seeded]:
    """The second account: no password policy at all, so every password rule fails."""
    return [
        seeded(PASSWORD_POLICY, _password_policy_arn(account), PASSWORD_POLICIES),
        seeded(ACCOUNT_SUMMARY, _summary_arn(account), gaps=ROOT_GAPS),
    ]


def _password_policy_arn(account: Account) -> str:
    return f"arn:aws:iam::{account.account_id}:account-password-policy"


def _summary_arn(account: Account) -> str:
    return f"arn:aws:iam::{account.account_id}:account-summary"


def _policies(account: Account, found: list[Seeded]) -> dict[str, str]:
    """Customer-managed policies: one least-privilege (attached), one unused, one full admin."""
    iam = account.client("iam")
    arns = {}
    for key, body in (("deploy", READ_LOGS), ("unused", READ_LOGS), ("admin", ADMIN)):
        arns[key] = iam.create_policy(PolicyName=account.name_of(key), PolicyDocument=body)[
            "Policy"
        ]["Arn"]
    found.append(seeded(POLICY, arns["deploy"]))
    found.append(seeded(POLICY, arns["unused"], {"aws-iam-policy-attached"}))
    found.append(seeded(POLICY, arns["admin"], {"aws-iam-policy-no-full-admin"}))
    return arns


def _groups(account: Account, deploy_policy: str, found: list[Seeded]) -> None:
    iam = account.client("iam")

    def group(name: str, breaks: set[str]) -> str:
        arn = iam.create_group(GroupName=account.name_of(name))["Group"]["Arn"]
        found.append(seeded(GROUP, arn, breaks))
        return account.name_of(name)

    deployers = group("deployers", set())
    iam.attach_group_policy(GroupName=deployers, PolicyArn=deploy_policy)
    admins = group("admins", {"aws-iam-group-inline-admin"})
    iam.put_group_policy(GroupName=admins, PolicyName="admin", PolicyDocument=ADMIN)


def _users(account: Account, deploy_policy: str, found: list[Seeded]) -> None:
    """Users with one credential setting each; the hardened ones get access via groups only."""
    iam = account.client("iam")

    def user(name: str, breaks: set[str]) -> str:
        arn = iam.create_user(UserName=account.name_of(name))["User"]["Arn"]
        found.append(seeded(USER, arn, breaks))
        iam.add_user_to_group(
            GroupName=account.name_of("deployers"), UserName=account.name_of(name)
        )
        return account.name_of(name)

    deploy = user("deploy", set())
    iam.create_access_key(UserName=deploy)
    alice = user("alice", set())
    iam.create_login_profile(UserName=alice, Password=SIMULATED_PASSWORD)
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=alice)["VirtualMFADevice"][
        "SerialNumber"
    ]
    iam.enable_mfa_device(
        UserName=alice,
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    bob = user("bob", {"aws-iam-user-console-mfa"})
    iam.create_login_profile(UserName=bob, Password=SIMULATED_PASSWORD)
    # A console user (with MFA) given an access key "just in case" at setup, never used.
    carol = user("carol", {"aws-iam-user-no-initial-access-key"})
    iam.create_login_profile(UserName=carol, Password=SIMULATED_PASSWORD)
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName=carol)["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=carol,
        SerialNumber=mfa["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.create_access_key(UserName=carol)
    ci = user(
        "ci-bot", {"aws-iam-user-single-active-access-key", "aws-iam-user-no-direct-policies"}
    )
    iam.create_access_key(UserName=ci)
    iam.create_access_key(UserName=ci)
    iam.attach_user_policy(UserName=ci, PolicyArn=deploy_policy)
    intern = user(
        "intern",
        {
            "aws-iam-user-inline-admin",
            "aws-iam-user-no-direct-policies",
        },
    )
    iam.put_user_policy(UserName=intern, PolicyName="admin", PolicyDocument=ADMIN)
    retired = user("retired", set())
    old = iam.create_access_key(UserName=retired)["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName=retired, AccessKeyId=old, Status="Inactive")
    iam.create_access_key(UserName=retired)


def _roles(account: Account, policies: dict[str, str], found: list[Seeded]) -> str:
    """A service role per AWS service the estate uses, and three broken roles."""
    iam = account.client("iam")
    services = [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "vpc-flow-logs.amazonaws.com",
        "cloudtrail.amazonaws.com",
    ]

    def role(name: str, principal: dict[str, Any] | str, breaks: set[str]) -> str:
        arn = iam.create_role(
            RoleName=account.name_of(name), AssumeRolePolicyDocument=trust(principal)
        )["Role"]["Arn"]
        found.append(seeded(ROLE, arn, breaks))
        return str(arn)

    app = role("app", {"Service": services}, set())
    iam.attach_role_policy(RoleName=account.name_of("app"), PolicyArn=policies["deploy"])
    role("partner", {"AWS": "*"}, {"aws-iam-role-trust-public-principal"})
    # Attached (not inline) admin: the pack judges the managed policy itself, not the role.
    role("breakglass", {"AWS": f"arn:aws:iam::{account.account_id}:root"}, set())
    iam.attach_role_policy(RoleName=account.name_of("breakglass"), PolicyArn=policies["admin"])
    role("ops", {"AWS": f"arn:aws:iam::{account.account_id}:root"}, {"aws-iam-role-inline-admin"})
    iam.put_role_policy(RoleName=account.name_of("ops"), PolicyName="admin", PolicyDocument=ADMIN)
    return app


def _server_certificates(account: Account, found: list[Seeded]) -> None:
    """A certificate valid for a year, one expiring within the month, one already expired.

    moto reports one fixed Expiration for every server certificate (see ``MOTO_GAPS``), so all
    three fail both expiry policies there; on AWS only the last two would.
    """
    iam = account.client("iam")
    expiry = {"aws-iam-server-certificate-expiring", "aws-iam-server-certificate-expired"}
    for name, days, breaks in (
        ("tls-current", 365, set()),
        ("tls-expiring", 10, {"aws-iam-server-certificate-expiring"}),
        ("tls-expired", -5, expiry),
    ):
        body, key = self_signed(f"{name}.acme.example", days)
        answer = iam.upload_server_certificate(
            ServerCertificateName=account.name_of(name), CertificateBody=body, PrivateKey=key
        )
        arn = answer["ServerCertificateMetadata"]["Arn"]
        found.append(seeded(SERVER_CERTIFICATE, arn, breaks, gaps=expiry))
