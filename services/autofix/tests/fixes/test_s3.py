"""The S3 bucket fixes against moto: ACL grants, default encryption, versioning, TLS-only policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone
from pacbot.autofix.fixes.s3 import PUBLIC_GROUPS, denies_insecure_transport, encryption_rule

from .conftest import drill, target

BUCKET = "aws.s3.bucket"
TLS_SID_TAKEN = "DenyInsecureTransport"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def fix_named(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def bucket(client: Callable[[str], Any], name: str) -> Any:
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    return s3


# --- s3-remove-public-acl-grants ----------------------------------------------------------


def test_public_grants_go_and_every_other_grant_stays(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    s3 = bucket(client, "acl-mixed")
    owner = s3.get_bucket_acl(Bucket="acl-mixed")["Owner"]["ID"]
    other = "a" * 64
    grants = [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "WRITE"},
        {
            "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
            "Permission": "WRITE",
        },
    ]
    s3.put_bucket_acl(
        Bucket="acl-mixed", AccessControlPolicy={"Owner": {"ID": owner}, "Grants": grants}
    )
    fix = fix_named("s3-remove-public-acl-grants")
    where = target(BUCKET, "acl-mixed", "arn:aws:s3:::acl-mixed")
    backup = fix.read(aws, where)
    assert len(backup["Acl"]["Grants"]) == 5
    [call] = fix.calls(backup, where)
    kept = call.params["AccessControlPolicy"]["Grants"]
    assert len(kept) == 3
    assert not any(g["Grantee"].get("URI") in PUBLIC_GROUPS for g in kept)
    assert drill(fix, aws, where) == backup


def test_a_canned_public_read_acl_is_fixed_and_restored(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    bucket(client, "acl-canned").put_bucket_acl(Bucket="acl-canned", ACL="public-read")
    drill(fix_named("s3-remove-public-acl-grants"), aws, target(BUCKET, "acl-canned"))


def test_a_private_acl_needs_nothing(aws: AccountAws, client: Callable[[str], Any]) -> None:
    bucket(client, "acl-private")
    fix = fix_named("s3-remove-public-acl-grants")
    where = target(BUCKET, "acl-private")
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


@pytest.mark.parametrize(
    "name",
    [
        "s3-remove-public-acl-grants",
        "s3-default-encryption",
        "s3-enable-versioning",
        "s3-deny-insecure-transport",
    ],
)
def test_a_deleted_bucket_is_gone(aws: AccountAws, name: str) -> None:
    with pytest.raises(ResourceGone):
        fix_named(name).read(aws, target(BUCKET, "no-such-bucket-here"))


# --- s3-default-encryption ----------------------------------------------------------------


def test_default_encryption_is_sse_s3_and_rollback_deletes_it(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    bucket(client, "enc-none")
    fix = fix_named("s3-default-encryption")
    where = target(BUCKET, "enc-none")
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "s3",
            "put_bucket_encryption",
            {
                "Bucket": "enc-none",
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            },
        )
    ]
    assert drill(fix, aws, where) == {"Encryption": None}


def test_kms_params_are_used(aws: AccountAws, client: Callable[[str], Any]) -> None:
    bucket(client, "enc-kms")
    fix = fix_named("s3-default-encryption")
    where = target(BUCKET, "enc-kms", kms_key_id="alias/data")
    backup = fix.read(aws, where)
    fix.apply(aws, where, backup)
    rules = fix.read(aws, where)["Encryption"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": "alias/data",
    }
    fix.rollback(aws, where, backup)
    assert fix.read(aws, where) == {"Encryption": None}


def test_an_empty_rule_list_is_replaced_and_restored() -> None:
    fix = fix_named("s3-default-encryption")
    where = target(BUCKET, "enc-empty")
    assert not fix.is_compliant({"Encryption": {"Rules": []}}, where)
    old = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    assert fix.rollback_calls({"Encryption": old}, {"Encryption": None}, where) == [
        ApiCall(
            "s3",
            "put_bucket_encryption",
            {"Bucket": "enc-empty", "ServerSideEncryptionConfiguration": old},
        )
    ]


@pytest.mark.parametrize(
    ("params", "default"),
    [
        ({}, {"SSEAlgorithm": "AES256"}),
        ({"sse_algorithm": "aws:kms"}, {"SSEAlgorithm": "aws:kms"}),
        ({"kms_key_id": "k"}, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}),
        (
            {"sse_algorithm": "aws:kms:dsse", "kms_key_id": "k"},
            {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": "k"},
        ),
    ],
)
def test_encryption_rule_from_params(params: dict[str, Any], default: dict[str, Any]) -> None:
    assert encryption_rule(params) == {"ApplyServerSideEncryptionByDefault": default}


@pytest.mark.parametrize(
    "params", [{"sse_algorithm": "DES"}, {"sse_algorithm": "AES256", "kms_key_id": "k"}]
)
def test_encryption_params_that_make_no_sense_are_refused(params: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"sse_algorithm|kms_key_id"):
        encryption_rule(params)


# --- s3-enable-versioning -----------------------------------------------------------------


def test_versioning_of_a_never_versioned_bucket_rolls_back_to_suspended(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    """``drill`` without its exact-restore step: S3 has no way back to "never versioned"."""
    bucket(client, "ver-never")
    fix = fix_named("s3-enable-versioning")
    where = target(BUCKET, "ver-never")
    backup = fix.read(aws, where)
    assert backup == {"Status": None}
    assert not fix.is_compliant(backup, where)
    planned = fix.calls(backup, where)
    assert fix.apply(aws, where, backup) == planned != []
    assert fix.verify(aws, where)
    fixed = fix.read(aws, where)
    assert fix.apply(aws, where, fixed) == []
    assert fix.read(aws, where) == fixed == {"Status": "Enabled"}
    assert fix.rollback(aws, where, backup) == [
        ApiCall(
            "s3",
            "put_bucket_versioning",
            {"Bucket": "ver-never", "VersioningConfiguration": {"Status": "Suspended"}},
        )
    ]
    assert fix.read(aws, where) == {"Status": "Suspended"}
    assert fix.rollback(aws, where, backup) == []


def test_a_suspended_bucket_is_restored_exactly(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    s3 = bucket(client, "ver-suspended")
    s3.put_bucket_versioning(
        Bucket="ver-suspended", VersioningConfiguration={"Status": "Suspended"}
    )
    fix = fix_named("s3-enable-versioning")
    assert drill(fix, aws, target(BUCKET, "ver-suspended")) == {"Status": "Suspended"}


# --- s3-deny-insecure-transport -----------------------------------------------------------


def test_a_bucket_without_policy_gets_one_and_rollback_deletes_it(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    bucket(client, "tls-none")
    fix = fix_named("s3-deny-insecure-transport")
    where = target(BUCKET, "tls-none", "arn:aws:s3:::tls-none")
    assert drill(fix, aws, where) == {"Policy": None}


def test_every_existing_statement_is_kept(aws: AccountAws, client: Callable[[str], Any]) -> None:
    s3 = bucket(client, "tls-kept")
    reader = {
        "Sid": TLS_SID_TAKEN,
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::tls-kept/*",
    }
    narrow = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::tls-kept/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    policy = {"Version": "2012-10-17", "Id": "kept", "Statement": [reader, narrow]}
    s3.put_bucket_policy(Bucket="tls-kept", Policy=json.dumps(policy))
    fix = fix_named("s3-deny-insecure-transport")
    where = target(BUCKET, "tls-kept", "arn:aws:s3:::tls-kept")
    assert drill(fix, aws, where) == {"Policy": policy}
    [call] = fix.calls({"Policy": policy}, where)
    new = json.loads(call.params["Policy"])
    assert new["Id"] == "kept"
    assert new["Statement"][:2] == [reader, narrow]
    assert new["Statement"][2] == {
        "Sid": "DenyInsecureTransport2",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::tls-kept", "arn:aws:s3:::tls-kept/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_a_single_statement_policy_is_restored_in_its_own_shape(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    s3 = bucket(client, "tls-single")
    policy = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::tls-single/*",
        },
    }
    s3.put_bucket_policy(Bucket="tls-single", Policy=json.dumps(policy))
    assert drill(fix_named("s3-deny-insecure-transport"), aws, target(BUCKET, "tls-single")) == {
        "Policy": policy
    }


def deny(principal: Any, action: Any, secure: Any = "false") -> dict[str, Any]:
    condition = {"Bool": {"aws:SecureTransport": secure}}
    return {"Principal": principal, "Action": action, "Condition": condition}


@pytest.mark.parametrize(
    ("statement", "denies"),
    [
        (deny("*", "s3:*"), True),
        (deny({"AWS": "*"}, ["*"], False), True),
        (deny({"AWS": ["*"]}, ["s3:GetObject", "s3:*"], ["false"]), True),
        (deny("*", "s3:GetObject"), False),
        (deny({"AWS": "arn:aws:iam::123456789012:root"}, "s3:*"), False),
        (deny(["*"], "s3:*"), False),
        (deny("*", "s3:*", "true"), False),
        (deny("*", "s3:*", 0), False),
        ({"Principal": "*", "Action": "s3:*"}, False),
    ],
)
def test_the_tls_rule_mirrors_the_policy(statement: dict[str, Any], denies: bool) -> None:
    assert denies_insecure_transport({"Effect": "Deny", **statement}) is denies
    assert denies_insecure_transport({"Effect": "Allow", **statement}) is False


# --- the fixes judge the policies' own examples as the policies do ------------------------

PACK = Path(__file__).parents[4] / "services/assessor/src/pacbot/assessor/packs/aws"
AS_READ: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "s3-bucket-default-encryption": (
        "s3-default-encryption",
        lambda c: {"Encryption": c.get("Encryption")},
    ),
    "s3-bucket-versioning": ("s3-enable-versioning", lambda c: dict(c["Versioning"])),
    "s3-bucket-deny-insecure-transport": (
        "s3-deny-insecure-transport",
        lambda c: {"Policy": c.get("Policy")},
    ),
}


@pytest.mark.parametrize("policy", sorted(AS_READ))
def test_the_policy_names_the_fix_and_they_agree_on_its_examples(policy: str) -> None:
    document = yaml.safe_load((PACK / f"{policy}.yaml").read_text())
    action, as_read = AS_READ[policy]
    fix = fix_named(action)
    assert document["autofix"]["action"] == action
    assert document["id"] in fix.policies
    where = target(BUCKET, "example", **document["autofix"].get("params", {}))
    for verdict in ("pass", "fail"):
        for config in document["examples"][verdict]:
            assert fix.is_compliant(as_read(config), where) is (verdict == "pass"), config
