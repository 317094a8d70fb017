"""A small, realistic S3 estate full of the misconfigurations the demo should find."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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
        """Policy ids this bucket should violate."""
        failures = set()
        if self.public_acl or self.public_policy:
            failures.add("aws-s3-bucket-public-access")
        if not self.encrypted:
            failures.add("aws-s3-bucket-default-encryption")
        return failures


ESTATE = (
    SeededBucket(
        "acme-payments-exports",
        public_acl=True,
        tags={"Owner": "payments@acme.example", "Environment": "prod"},
    ),
    SeededBucket(
        "acme-marketing-site",
        public_policy=True,
        tags={"Owner": "web@acme.example", "Environment": "prod"},
    ),
    SeededBucket(
        "acme-analytics-raw",
        encrypted=False,
        tags={"Owner": "data@acme.example", "Environment": "dev"},
    ),
    SeededBucket(
        "acme-build-cache",
        public_acl=True,
        encrypted=False,
        tags={"Owner": "ci@acme.example", "Environment": "dev"},
    ),
    SeededBucket("acme-cloudtrail-logs", tags={"Owner": "security@acme.example"}),
    SeededBucket("acme-hr-documents", tags={"Owner": "hr@acme.example", "Environment": "prod"}),
)


def seed(s3: Any, estate: tuple[SeededBucket, ...] = ESTATE) -> list[SeededBucket]:
    """Create the estate's buckets through a boto3 S3 client; idempotent per bucket."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for bucket in estate:
        if bucket.name not in existing:
            s3.create_bucket(Bucket=bucket.name)
        if bucket.tags:
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
        if bucket.public_policy:
            s3.put_bucket_policy(Bucket=bucket.name, Policy=json.dumps(_public_read(bucket.name)))
    return list(estate)


def _public_read(name: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
