"""A small, realistic S3 estate: hardened buckets with a few deliberate misconfigurations.

Every bucket gets the baseline the S3 policies expect (versioning, access logging, lifecycle rules
that abort incomplete uploads and expire noncurrent versions, a policy denying plain HTTP, the
mandatory tags); each ``SeededBucket`` then breaks exactly what it says, so a scan must find exactly
``expected_failures``. One gap is moto's, not the estate's: moto ignores MFA delete, so every
versioned bucket also fails ``aws-s3-bucket-mfa-delete``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

LOG_BUCKET = "acme-access-logs"
MOTO_CANNOT_SET = frozenset({"aws-s3-bucket-mfa-delete"})


@dataclass(frozen=True)
class SeededBucket:
    """One bucket of the demo estate and what PacBot should say about it."""

    name: str
    public_acl: bool = False
    public_policy: bool = False
    encrypted: bool = True
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def expected_failures(self) -> set[str]:
        """Policy ids this bucket should violate (with the shipped pack's defaults)."""
        failures = set(MOTO_CANNOT_SET)
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


def seed(s3: Any, estate: tuple[SeededBucket, ...] = ESTATE) -> list[SeededBucket]:
    """Create the estate's buckets through a boto3 S3 client; idempotent per bucket."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in estate:
        if bucket.name not in existing:
            s3.create_bucket(Bucket=bucket.name)
    # S3 delivers access logs as the LogDelivery group: grant it on the target bucket only.
    s3.put_bucket_acl(Bucket=LOG_BUCKET, ACL="log-delivery-write")
    for bucket in estate:
        _harden(s3, bucket.name)
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
        statements = [_deny_insecure_transport(bucket.name)]
        if bucket.public_policy:
            statements.append(_public_read(bucket.name))
        s3.put_bucket_policy(
            Bucket=bucket.name,
            Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    return list(estate)


def _harden(s3: Any, name: str) -> None:
    """The baseline every S3 policy of the pack expects."""
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket=name,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": LOG_BUCKET, "TargetPrefix": name}},
    )
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
