"""S3 bucket fixes: public ACL grants, default encryption, versioning, TLS-only bucket policy.

Each fix reads only the one bucket setting it changes, so its backup is exactly what a rollback
puts back. A bucket that no longer exists reads as ``ResourceGone``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES
from pacbot.common.iam_documents import listed, statements

PUBLIC_GROUPS = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)
_GRANTEE_KEYS = ("Type", "ID", "URI", "EmailAddress")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
TLS_SID = "DenyInsecureTransport"


def _get(call: Callable[..., dict[str, Any]], bucket: str) -> dict[str, Any]:
    """The response of a bucket Get* call; ResourceGone when the bucket no longer exists."""
    try:
        return call(Bucket=bucket)
    except ClientError as exc:
        if error_code(exc) == "NoSuchBucket":
            raise ResourceGone(f"bucket {bucket} no longer exists") from exc
        raise


def _optional(
    call: Callable[..., dict[str, Any]], bucket: str, missing: str
) -> dict[str, Any] | None:
    """``_get``, or None when AWS answers ``missing`` (the bucket has no such setting)."""
    try:
        return _get(call, bucket)
    except ClientError as exc:
        if error_code(exc) == missing:
            return None
        raise


def _bucket_arn(target: FixTarget) -> str:
    """The bucket's ARN in the partition of the asset id (``aws`` when it is not an ARN)."""
    parts = target.asset_id.split(":")
    partition = parts[1] if parts[0] == "arn" and len(parts) > 1 else "aws"
    return f"arn:{partition}:s3:::{target.name}"


# --- ACL grants ---------------------------------------------------------------------------


def normalise_acl(acl: dict[str, Any]) -> dict[str, Any]:
    """Owner id and grants without display names, grants in a stable order."""
    grants = [
        {
            "Grantee": {k: g["Grantee"][k] for k in _GRANTEE_KEYS if k in g.get("Grantee", {})},
            "Permission": g["Permission"],
        }
        for g in acl.get("Grants", [])
    ]
    grants.sort(key=lambda g: json.dumps(g, sort_keys=True))
    return {"Owner": {"ID": acl.get("Owner", {}).get("ID")}, "Grants": grants}


def is_public_grant(grant: dict[str, Any]) -> bool:
    """True when the grant is to AllUsers or AuthenticatedUsers."""
    return grant.get("Grantee", {}).get("URI") in PUBLIC_GROUPS


def _put_acl(bucket: str, acl: dict[str, Any]) -> ApiCall:
    policy = {"Owner": dict(acl["Owner"]), "Grants": list(acl["Grants"])}
    return ApiCall("s3", "put_bucket_acl", {"Bucket": bucket, "AccessControlPolicy": policy})


@FIXES.register
class S3RemovePublicAclGrants(Fix):
    """Drops the ACL grants to AllUsers / AuthenticatedUsers, keeping every other grant.

    Rollback puts the whole backed-up ACL back. AWS refuses a public ACL while the bucket's
    BlockPublicAcls is on, so rolling back under such a block fails rather than re-opening it.
    """

    name = "s3-remove-public-acl-grants"
    resource_type = "aws.s3.bucket"
    policies = ("aws-s3-bucket-public-access",)
    read_permissions = ("s3:GetBucketAcl",)
    write_permissions = ("s3:PutBucketAcl",)
    reversible = True
    backs_up = "the bucket's full ACL (owner and every grant)"
    verifies = "reads the ACL back and requires no grant to AllUsers or AuthenticatedUsers"
    description = "Remove the S3 bucket ACL grants to AllUsers and AuthenticatedUsers"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket's ACL, normalised."""
        return {"Acl": normalise_acl(_get(aws.client("s3").get_bucket_acl, target.name))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """No grant is to a public group."""
        return not any(is_public_grant(g) for g in current["Acl"]["Grants"])

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutBucketAcl with the same owner and the non-public grants."""
        if self.is_compliant(current, target):
            return []
        acl = current["Acl"]
        kept = [g for g in acl["Grants"] if not is_public_grant(g)]
        return [_put_acl(target.name, {"Owner": acl["Owner"], "Grants": kept})]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the backed-up ACL back whole."""
        if backup["Acl"] == current["Acl"]:
            return []
        return [_put_acl(target.name, backup["Acl"])]


# --- Default encryption -------------------------------------------------------------------


def encryption_rule(params: dict[str, Any]) -> dict[str, Any]:
    """The default-encryption rule the params ask for: SSE-S3 unless a KMS key or algorithm."""
    key = params.get("kms_key_id")
    algorithm = params.get("sse_algorithm") or ("aws:kms" if key else "AES256")
    if algorithm not in SSE_ALGORITHMS:
        raise ValueError(f"sse_algorithm must be one of {', '.join(SSE_ALGORITHMS)}")
    if key and algorithm == "AES256":
        raise ValueError("kms_key_id needs sse_algorithm aws:kms or aws:kms:dsse")
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key:
        default["KMSMasterKeyID"] = key
    return {"ApplyServerSideEncryptionByDefault": default}


def _put_encryption(bucket: str, config: dict[str, Any]) -> ApiCall:
    params = {"Bucket": bucket, "ServerSideEncryptionConfiguration": config}
    return ApiCall("s3", "put_bucket_encryption", params)


@FIXES.register
class S3DefaultEncryption(Fix):
    """Sets default encryption (SSE-S3 AES256, or SSE-KMS from the params) on a bucket.

    Params: ``sse_algorithm`` (AES256, aws:kms, aws:kms:dsse) and ``kms_key_id``. Rollback
    puts the old configuration back, or deletes it when the bucket had none (on AWS since 2023
    that leaves the bucket with the SSE-S3 default every bucket has).
    """

    name = "s3-default-encryption"
    resource_type = "aws.s3.bucket"
    policies = ("aws-s3-bucket-default-encryption",)
    read_permissions = ("s3:GetEncryptionConfiguration",)
    write_permissions = ("s3:PutEncryptionConfiguration",)
    reversible = True
    backs_up = "the bucket's server-side encryption configuration (null when it had none)"
    verifies = "reads the encryption configuration back and requires at least one rule"
    description = "Enable default encryption on the S3 bucket"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket's ServerSideEncryptionConfiguration (null when none)."""
        s3 = aws.client("s3")
        found = _optional(
            s3.get_bucket_encryption, target.name, "ServerSideEncryptionConfigurationNotFoundError"
        )
        return {"Encryption": found["ServerSideEncryptionConfiguration"] if found else None}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The configuration has at least one rule."""
        return bool((current.get("Encryption") or {}).get("Rules"))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutBucketEncryption with the rule the params ask for."""
        if self.is_compliant(current, target):
            return []
        rule = encryption_rule(dict(target.params))
        return [_put_encryption(target.name, {"Rules": [rule]})]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the old configuration back, or delete the one the fix added."""
        old = backup.get("Encryption")
        if old == current.get("Encryption"):
            return []
        if old is None:
            return [ApiCall("s3", "delete_bucket_encryption", {"Bucket": target.name})]
        return [_put_encryption(target.name, old)]


# --- Versioning ---------------------------------------------------------------------------


def _put_versioning(bucket: str, status: str) -> ApiCall:
    params = {"Bucket": bucket, "VersioningConfiguration": {"Status": status}}
    return ApiCall("s3", "put_bucket_versioning", params)


@FIXES.register
class S3EnableVersioning(Fix):
    """Enables versioning on a bucket; rollback suspends it again.

    S3 cannot return a bucket to "never versioned": once enabled, versioning can only be
    suspended. Rolling back a bucket that was never versioned therefore leaves it Suspended
    (new objects get no versions; versions already made are kept). A bucket with MFA delete on
    needs the owner's MFA to change its versioning, which the fix does not have.
    """

    name = "s3-enable-versioning"
    resource_type = "aws.s3.bucket"
    policies = ("aws-s3-bucket-versioning",)
    read_permissions = ("s3:GetBucketVersioning",)
    write_permissions = ("s3:PutBucketVersioning",)
    reversible = True
    backs_up = (
        "the bucket's versioning status (null when never versioned; S3 cannot go back to that,"
        " so rollback leaves such a bucket Suspended)"
    )
    verifies = "reads the versioning status back and requires Enabled"
    description = "Enable versioning on the S3 bucket"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket's versioning status: Enabled, Suspended or null (never versioned)."""
        found = _get(aws.client("s3").get_bucket_versioning, target.name)
        return {"Status": found.get("Status")}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Versioning is Enabled."""
        return current.get("Status") == "Enabled"

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutBucketVersioning with Status Enabled."""
        if self.is_compliant(current, target):
            return []
        return [_put_versioning(target.name, "Enabled")]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the old status back; a never-versioned bucket can only be Suspended."""
        wanted = backup.get("Status") or "Suspended"
        if current.get("Status") in (backup.get("Status"), wanted):
            return []
        return [_put_versioning(target.name, wanted)]


# --- TLS-only bucket policy ---------------------------------------------------------------


def _denies_everyone(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and "*" in listed(principal.get("AWS")))


def _insecure_transport(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    found = condition.get("Bool") if isinstance(condition, dict) else None
    value = found.get("aws:SecureTransport") if isinstance(found, dict) else None
    return any(v == "false" or v is False for v in listed(value))


def denies_insecure_transport(statement: dict[str, Any]) -> bool:
    """The policy's pass rule: Deny, everyone, s3:* (or *), when aws:SecureTransport is false."""
    actions = listed(statement.get("Action"))
    return (
        statement.get("Effect") == "Deny"
        and _denies_everyone(statement)
        and ("s3:*" in actions or "*" in actions)
        and _insecure_transport(statement)
    )


def tls_statement(bucket_arn: str, taken: set[str]) -> dict[str, Any]:
    """The Deny statement to add, with a Sid no existing statement uses."""
    sid, n = TLS_SID, 1
    while sid in taken:
        n += 1
        sid = f"{TLS_SID}{n}"
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def with_tls_statement(policy: dict[str, Any] | None, bucket_arn: str) -> dict[str, Any]:
    """``policy`` (or a new one) with the Deny statement appended after every existing one."""
    if policy is None:
        return {"Version": "2012-10-17", "Statement": [tls_statement(bucket_arn, set())]}
    existing = listed(policy.get("Statement"))
    taken = {str(s.get("Sid")) for s in statements(policy) if s.get("Sid") is not None}
    return {**policy, "Statement": [*existing, tls_statement(bucket_arn, taken)]}


def _put_policy(bucket: str, policy: dict[str, Any]) -> ApiCall:
    return ApiCall("s3", "put_bucket_policy", {"Bucket": bucket, "Policy": json.dumps(policy)})


@FIXES.register
class S3DenyInsecureTransport(Fix):
    """Adds one statement denying every request with aws:SecureTransport false to the policy.

    Every existing statement is kept as it was. Rollback puts the old policy back, or deletes
    the policy when the bucket had none.
    """

    name = "s3-deny-insecure-transport"
    resource_type = "aws.s3.bucket"
    policies = ("aws-s3-bucket-deny-insecure-transport",)
    read_permissions = ("s3:GetBucketPolicy",)
    write_permissions = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")
    reversible = True
    backs_up = "the bucket policy document (null when the bucket had none)"
    verifies = "reads the bucket policy back and requires a Deny on aws:SecureTransport false"
    description = "Deny plain-HTTP requests in the S3 bucket policy"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket policy as a document (null when none)."""
        found = _optional(aws.client("s3").get_bucket_policy, target.name, "NoSuchBucketPolicy")
        return {"Policy": json.loads(found["Policy"]) if found else None}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """One statement denies everyone s3:* over plain HTTP."""
        policy = current.get("Policy")
        return policy is not None and any(denies_insecure_transport(s) for s in statements(policy))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutBucketPolicy: the old policy plus the Deny statement."""
        if self.is_compliant(current, target):
            return []
        policy = with_tls_statement(current.get("Policy"), _bucket_arn(target))
        return [_put_policy(target.name, policy)]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the old policy back, or delete the policy when there was none."""
        old = backup.get("Policy")
        if old == current.get("Policy"):
            return []
        if old is None:
            return [ApiCall("s3", "delete_bucket_policy", {"Bucket": target.name})]
        return [_put_policy(target.name, old)]
