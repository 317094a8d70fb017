"""A small, realistic S3 estate: hardened buckets with a few deliberate misconfigurations.

Every bucket gets the baseline the S3 policies expect (versioning, access logging, lifecycle rules
that abort incomplete uploads and expire noncurrent versions, a policy denying plain HTTP, the
mandatory tags); each ``SeededBucket`` then breaks exactly what it says, so a scan must find exactly
``expected_failures``. One gap is moto's, not the estate's: moto ignores MFA delete, so every
versioned bucket also fails ``aws-s3-bucket-mfa-delete``.

``ESTATE`` is the demo's seven buckets; ``WHOLE_ESTATE`` adds three that break the remaining S3
policies (versioning, access logs, lifecycle, TLS-only, the Environment tag's value).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from pacbot.cli.estate._model import Seeded, seeded

LOG_BUCKET = "acme-access-logs"
MOTO_CANNOT_SET = frozenset({"aws-s3-bucket-mfa-delete"})
ENVIRONMENTS = ("prod", "staging", "dev", "test", "sandbox")


@dataclass(frozen=True)
class SeededBucket:
    """One bucket of the demo estate and what PacBot should say about it."""

    name: str
    public_acl: bool = False
    public_policy: bool = False
    encrypted: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    versioned: bool = True
    logged: bool = True
    lifecycle: bool = True
    tls_only: bool = True

    @property
    def expected_failures(self) -> set[str]:
        """Policy ids this bucket should violate (with the shipped pack's defaults)."""
        failures = set(MOTO_CANNOT_SET) if self.versioned else {"aws-s3-bucket-versioning"}
        if not self.logged:
            failures.add("aws-s3-bucket-access-logging")
        if not self.lifecycle:
            failures |= {"aws-s3-bucket-lifecycle-rules", "aws-s3-bucket-abort-incomplete-uploads"}
            if self.versioned:
                failures.add("aws-s3-bucket-noncurrent-version-expiration")
        if not self.tls_only:
            failures.add("aws-s3-bucket-deny-insecure-transport")
        if self.tags.get("Environment", "prod") not in ENVIRONMENTS:
            failures.add("aws-tagging-s3-bucket-environment-value")
        if self.public_acl or self.public_policy:
            failures.add("aws-s3-bucket-public-access")
        if not self.encrypted:
            failures.add("aws-s3-bucket-default-encryption")
        missing = {"Owner", "Environment", "Application"} - set(self.tags)
        if missing:
            failures.add("aws-tagging-s3-bucket-mandatory-tags")
        return failures


def _tags(owner: str, environment: str, application: str) -> dict[str, str]:
    return {"Owner": owner, "Environment": environment, "Application": application}


ESTATE = (
    SeededBucket(LOG_BUCKET, tags=_tags("security@acme.example", "prod", "logging")),
    SeededBucket(
        "acme-payments-exports",
        public_acl=True,
        tags=_tags("payments@acme.example", "prod", "payments"),
    ),
    SeededBucket(
        "acme-marketing-site",
        public_policy=True,
        tags=_tags("web@acme.example", "prod", "website"),
    ),
    SeededBucket(
        "acme-analytics-raw",
        encrypted=False,
        tags=_tags("data@acme.example", "dev", "analytics"),
    ),
    SeededBucket(
        "acme-build-cache",
        public_acl=True,
        encrypted=False,
        tags=_tags("ci@acme.example", "dev", "ci"),
    ),
    SeededBucket("acme-cloudtrail-logs", tags={"Owner": "security@acme.example"}),
    SeededBucket("acme-hr-documents", tags=_tags("hr@acme.example", "prod", "hr")),
)

WHOLE_ESTATE = (
    *ESTATE,
    SeededBucket(
        "acme-tmp-uploads",
        versioned=False,
        lifecycle=False,
        tags=_tags("web@acme.example", "prod", "uploads"),
    ),
    SeededBucket(
        "acme-partner-drop",
        logged=False,
        tls_only=False,
        tags=_tags("partners@acme.example", "Production", "partners"),
    ),
    SeededBucket("acme-ml-datasets", lifecycle=False, tags=_tags("ml@acme.example", "dev", "ml")),
)
"""The demo's buckets and three more breaking the remaining S3 policies, for the whole estate."""


def renamed(
    prefix: str, estate: tuple[SeededBucket, ...] = WHOLE_ESTATE
) -> tuple[SeededBucket, ...]:
    """The same buckets under ``prefix-<name>`` (bucket names are global across accounts)."""
    return tuple(replace(b, name=f"{prefix}-{b.name}") for b in estate)


def seed(s3: Any, estate: tuple[SeededBucket, ...] = ESTATE) -> list[SeededBucket]:
    """Create the estate's buckets through a boto3 S3 client; idempotent per bucket.

    The first bucket receives every other bucket's access logs.
    """
    log_bucket = estate[0].name
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    region = s3.meta.region_name
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    for bucket in estate:
        if bucket.name not in existing:
            s3.create_bucket(
                Bucket=bucket.name, **({"CreateBucketConfiguration": where} if where else {})
            )
    # S3 delivers access logs as the LogDelivery group: grant it on the target bucket only.
    s3.put_bucket_acl(Bucket=log_bucket, ACL="log-delivery-write")
    for bucket in estate:
        _harden(s3, bucket, log_bucket)
        s3.put_bucket_tagging(
            Bucket=bucket.name,
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in bucket.tags.items()]},
        )
        if bucket.encrypted:
            s3.put_bucket_encryption(
                Bucket=bucket.name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )
        else:
            s3.delete_bucket_encryption(Bucket=bucket.name)
        if bucket.public_acl:
            s3.put_bucket_acl(Bucket=bucket.name, ACL="public-read")
        statements = [_deny_insecure_transport(bucket.name)] if bucket.tls_only else []
        if bucket.public_policy:
            statements.append(_public_read(bucket.name))
        if statements:
            s3.put_bucket_policy(
                Bucket=bucket.name,
                Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            )
    return list(estate)


def _harden(s3: Any, bucket: SeededBucket, log_bucket: str) -> None:
    """The baseline every S3 policy of the pack expects, less what ``bucket`` leaves out."""
    name = bucket.name
    if bucket.versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if bucket.logged:
        s3.put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": log_bucket, "TargetPrefix": name}
            },
        )
    if bucket.lifecycle:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "housekeeping",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                    }
                ]
            },
        )


def _deny_insecure_transport(name: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _public_read(name: str) -> dict[str, Any]:
    return {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }


def as_seeded(buckets: list[SeededBucket]) -> list[Seeded]:
    """The buckets in the estate-wide shape, MFA delete kept apart as moto's gap."""
    return [
        seeded(
            "aws.s3.bucket",
            f"arn:aws:s3:::{b.name}",
            b.expected_failures - MOTO_CANNOT_SET,
            gaps=b.expected_failures & MOTO_CANNOT_SET,
        )
        for b in buckets
    ]
