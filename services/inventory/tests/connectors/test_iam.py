"""IAM users, roles, groups, policies and account settings through the connectors directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from pacbot.inventory.connectors.iam_account import root_last_used, root_mfa

ACCOUNT = "123456789012"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
SCOPED = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
    ],
}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def test_user_with_mfa_and_used_key_vs_user_with_unused_key_and_no_mfa(
    aws: Any, discover: Any, moto_url: str
) -> None:
    iam = aws("iam")
    for name in ("good", "bad"):
        iam.create_user(UserName=name, Tags=[{"Key": "Owner", "Value": f"{name}-team"}])
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="good")
    iam.put_user_policy(UserName="bad", PolicyName="all", PolicyDocument=json.dumps(ADMIN))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="good")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="good",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    good_key = iam.create_access_key(UserName="good")["AccessKey"]
    bad_key = iam.create_access_key(UserName="bad")["AccessKey"]
    iam.create_login_profile(UserName="bad", Password="Weak-but-valid-1")
    # One request signed with the good key records its last use.
    boto3.client(
        "s3",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=good_key["AccessKeyId"],
        aws_secret_access_key=good_key["SecretAccessKey"],
        config=Config(s3={"addressing_style": "path"}),
    ).list_buckets()

    found = discover("aws.iam.user")

    assert set(found) == {arn("user", "good"), arn("user", "bad")}
    good, bad = found[arn("user", "good")], found[arn("user", "bad")]
    assert good.owner == "good-team"
    assert good.config["MfaEnabled"] is True
    assert [d["SerialNumber"] for d in good.config["MFADevices"]] == [device["SerialNumber"]]
    assert good.config["PasswordEnabled"] is False
    assert good.config["GroupList"] == ["ops"]
    [key] = good.config["AccessKeys"]
    assert key["AccessKeyId"] == good_key["AccessKeyId"]
    assert key["Status"] == "Active"
    assert key["LastUsedDate"] == datetime.now(UTC).date().isoformat()
    assert key["LastUsedServiceName"] == "s3"

    assert bad.config["MfaEnabled"] is False
    assert bad.config["MFADevices"] == []
    assert bad.config["PasswordEnabled"] is True
    assert bad.config["LoginProfile"]["CreateDate"]
    [key] = bad.config["AccessKeys"]
    assert (key["AccessKeyId"], key["Status"]) == (bad_key["AccessKeyId"], "Active")
    assert key["CreateDate"].endswith("Z")
    assert key["LastUsedDate"] is None
    assert bad.config["UserPolicyList"] == [{"PolicyName": "all", "PolicyDocument": ADMIN}]
    assert "SecretAccessKey" not in json.dumps(bad.config)


def test_admin_policy_vs_scoped_policy_and_their_attachments(aws: Any, discover: Any) -> None:
    iam = aws("iam")
    admin = iam.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    scoped = iam.create_policy(
        PolicyName="reader", PolicyDocument=json.dumps(ADMIN), Tags=[{"Key": "team", "Value": "x"}]
    )["Policy"]
    iam.create_policy_version(
        PolicyArn=scoped["Arn"], PolicyDocument=json.dumps(SCOPED), SetAsDefault=True
    )
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin["Arn"])
    iam.put_group_policy(GroupName="admins", PolicyName="inline", PolicyDocument=json.dumps(SCOPED))
    iam.create_user(UserName="root-ish")
    iam.add_user_to_group(GroupName="admins", UserName="root-ish")

    policies = discover("aws.iam.policy")
    groups = discover("aws.iam.group")

    assert set(policies) == {admin["Arn"], scoped["Arn"]}  # no AWS-managed policies
    bad, good = policies[admin["Arn"]].config, policies[scoped["Arn"]].config
    assert bad["PolicyDocument"] == ADMIN
    assert bad["AttachmentCount"] == 1
    assert bad["Scope"] == "Local"
    assert good["PolicyDocument"] == SCOPED  # the default version, not v1
    assert good["DefaultVersionId"] == "v2"
    assert good["AttachmentCount"] == 0
    assert good["Tags"] == {"team": "x"}
    assert "PolicyVersionList" not in good

    group = groups[arn("group", "admins")].config
    assert group["Users"] == ["root-ish"]
    assert [p["PolicyArn"] for p in group["AttachedManagedPolicies"]] == [admin["Arn"]]
    assert group["GroupPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": SCOPED}]


def test_role_trusting_anyone_vs_service_role(aws: Any, discover: Any) -> None:
    iam = aws("iam")
    service = {
        **TRUST,
        "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}],
    }
    iam.create_role(RoleName="open", AssumeRolePolicyDocument=json.dumps(TRUST))
    admin = iam.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    iam.attach_role_policy(RoleName="open", PolicyArn=admin["Arn"])
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument=json.dumps(service),
        Tags=[{"Key": "Owner", "Value": "app-team"}],
    )
    iam.put_role_policy(RoleName="app", PolicyName="read", PolicyDocument=json.dumps(SCOPED))

    found = {k: v for k, v in discover("aws.iam.role").items() if "/aws-service-role/" not in k}

    assert set(found) == {arn("role", "open"), arn("role", "app")}
    bad, good = found[arn("role", "open")], found[arn("role", "app")]
    assert bad.config["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": "*"}
    assert [p["PolicyArn"] for p in bad.config["AttachedManagedPolicies"]] == [admin["Arn"]]
    assert good.config["AssumeRolePolicyDocument"] == service
    assert good.config["RolePolicyList"] == [{"PolicyName": "read", "PolicyDocument": SCOPED}]
    assert good.owner == "app-team"
    assert good.config["RoleLastUsed"] == {"LastUsedDate": None}


def test_password_policy_absent_then_weak_then_strong(aws: Any, discover: Any) -> None:
    iam = aws("iam")
    policy_arn = f"arn:aws:iam::{ACCOUNT}:account-password-policy"

    absent = discover("aws.iam.password_policy")[policy_arn].config
    iam.update_account_password_policy(MinimumPasswordLength=6)
    weak = discover("aws.iam.password_policy")[policy_arn].config
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        PasswordReusePrevention=24,
        MaxPasswordAge=90,
    )
    strong = discover("aws.iam.password_policy")[policy_arn].config

    assert absent == {"Arn": policy_arn, "AccountId": ACCOUNT, "Exists": False, "Tags": {}}
    assert weak["Exists"] is True
    assert weak["MinimumPasswordLength"] == 6
    assert weak["RequireSymbols"] is False
    assert "PasswordReusePrevention" not in weak
    assert strong["MinimumPasswordLength"] == 14
    assert strong["RequireSymbols"] is True
    assert strong["PasswordReusePrevention"] == 24


def test_account_summary_without_root_mfa(aws: Any, discover: Any) -> None:
    aws("iam").create_user(UserName="someone")
    summary_arn = f"arn:aws:iam::{ACCOUNT}:account-summary"

    config = discover("aws.iam.account_summary")[summary_arn].config

    assert config["RootMfaEnabled"] is False
    assert config["RootHardwareMfaEnabled"] is False
    assert config["RootAccessKeysPresent"] is False
    assert config["SummaryMap"]["Users"] == 1
    assert config["SummaryMap"]["AccountMFAEnabled"] == 0
    # moto's credential report lists IAM users only, never the <root_account> row
    assert config["RootLastUsed"] is None


REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
)


def test_root_last_used_comes_from_the_root_row_of_the_credential_report() -> None:
    root = (
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-01-01T00:00:00+00:00,not_supported,"
        "2026-11-20T09:15:00+00:00,not_supported,not_supported,true,true,2020-02-02T00:00:00+00:00,"
        "2026-10-01T08:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    )
    user = (
        f"bob,arn:aws:iam::{ACCOUNT}:user/bob,2020-01-01T00:00:00+00:00,true,"
        "2026-11-27T00:00:00+00:00,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
        "false,N/A,false,N/A\n"
    )
    assert root_last_used(REPORT_HEADER + user + root) == {
        "Password": "2026-11-20",
        "AccessKey1": "2026-10-01",
        "AccessKey2": None,
    }
    never = root.replace("2026-11-20T09:15:00+00:00", "no_information")
    assert root_last_used(REPORT_HEADER + never)["Password"] is None  # type: ignore[index]
    assert root_last_used(REPORT_HEADER + user) is None


def test_root_mfa_is_virtual_or_hardware() -> None:
    root_device = {
        "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
        "User": {"Arn": f"arn:aws:iam::{ACCOUNT}:root"},
    }
    user_device = {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/bob", "User": {"Arn": "x"}}
    assert root_mfa(ACCOUNT, True, [root_device]) == {
        "RootMfaEnabled": True,
        "RootVirtualMfa": True,
        "RootHardwareMfaEnabled": False,
    }
    assert root_mfa(ACCOUNT, True, [user_device])["RootHardwareMfaEnabled"] is True
    assert root_mfa(ACCOUNT, False, [user_device]) == {
        "RootMfaEnabled": False,
        "RootVirtualMfa": False,
        "RootHardwareMfaEnabled": False,
    }


def test_server_certificate_has_expiry_and_no_private_key(aws: Any, discover: Any) -> None:
    iam = aws("iam")
    iam.upload_server_certificate(
        ServerCertificateName="legacy-elb",
        CertificateBody="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        PrivateKey="-----BEGIN RSA PRIVATE KEY-----\nSECRET\n-----END RSA PRIVATE KEY-----",
    )

    found = discover("aws.iam.server_certificate")

    config = found[arn("server-certificate", "legacy-elb")].config
    assert config["ServerCertificateName"] == "legacy-elb"
    assert config["Expiration"].endswith("Z")
    assert config["UploadDate"].endswith("Z")
    assert config["Tags"] == {}
    assert "SECRET" not in json.dumps(config)
    assert "CertificateBody" not in config
