"""Seed a moto account with the estate the discovery benchmark compares the two tools on."""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3

REGION = "us-east-1"


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)  # type: ignore[call-overload]


def _ssh_group(ec2: Any, name: str, *, world: bool) -> None:
    """A security group letting SSH in from the whole internet (``world``) or from 10/8."""
    group = ec2.create_security_group(GroupName=name, Description="bench")
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0" if world else "10.0.0.0/8"}],
            }
        ],
    )


def seed_buckets_and_groups(endpoint: str, buckets: int = 300, groups: int = 300) -> Counter[str]:
    """The side-by-side estate: ``buckets`` S3 buckets and ``groups`` security groups.

    Every fourth bucket grants public read through its ACL, every third has default encryption;
    two security groups in three open SSH to the internet. With the default VPC's default group
    the account holds ``groups + 1`` security groups.
    """
    made: Counter[str] = Counter()
    s3, ec2 = _client(endpoint, "s3"), _client(endpoint, "ec2")
    for i in range(buckets):
        name = f"side-bucket-{i:04d}"
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": "Owner", "Value": f"team-{i % 5}"}]}
        )
        if i % 4 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        if i % 3 == 0:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )
        made["s3 bucket"] += 1
    for i in range(groups):
        _ssh_group(ec2, f"side-sg-{i}", world=bool(i % 3))
        made["security group"] += 1
    return made
