"""Seed a moto account with a realistic, mixed estate: hundreds of resources across many types."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from typing import Any

import boto3

REGION = "us-east-1"


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)  # type: ignore[call-overload]


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _ssh_group(ec2: Any, name: str, *, world: bool, **where: str) -> None:
    """A security group letting SSH in from the whole internet (``world``) or from 10/8."""
    group = ec2.create_security_group(GroupName=name, Description="bench", **where)
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


def seed(endpoint: str, scale: int = 1) -> Counter[str]:
    """Create ``scale`` times a fixed mix of resources; returns how many of each kind were made."""
    made: Counter[str] = Counter()
    s3, ec2, iam = (_client(endpoint, s) for s in ("s3", "ec2", "iam"))
    for i in range(40 * scale):
        s3.create_bucket(Bucket=f"bench-bucket-{i:04d}")
        s3.put_bucket_tagging(
            Bucket=f"bench-bucket-{i:04d}",
            Tagging={"TagSet": [{"Key": "Owner", "Value": f"team-{i % 5}"}]},
        )
        if i % 4 == 0:
            s3.put_bucket_acl(Bucket=f"bench-bucket-{i:04d}", ACL="public-read")
        made["s3 bucket"] += 1
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    made["vpc"] += 1
    for i in range(8 * scale):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24")
        made["subnet"] += 1
    for i in range(40 * scale):
        _ssh_group(ec2, f"bench-sg-{i}", world=bool(i % 3), VpcId=vpc)
        made["security group"] += 1
    for i in range(30 * scale):
        volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, Encrypted=i % 2 == 0)
        made["ebs volume"] += 1
        if i % 3 == 0:
            ec2.create_snapshot(VolumeId=volume["VolumeId"])
            made["ebs snapshot"] += 1
    for i in range(30 * scale):
        user = f"bench-user-{i}"
        iam.create_user(UserName=user, Tags=[{"Key": "Owner", "Value": "iam"}])
        iam.create_access_key(UserName=user)
        made["iam user"] += 1
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    roles = [
        iam.create_role(RoleName=f"bench-role-{i}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        for i in range(20 * scale)
    ]
    made["iam role"] += len(roles)
    for i in range(15 * scale):
        iam.create_policy(
            PolicyName=f"bench-policy-{i}",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
                }
            ),
        )
        made["iam policy"] += 1
    kms, logs, sqs, sns = (_client(endpoint, s) for s in ("kms", "logs", "sqs", "sns"))
    for i in range(15 * scale):
        key = kms.create_key(Description=f"bench-key-{i}")["KeyMetadata"]["KeyId"]
        if i % 2:
            kms.enable_key_rotation(KeyId=key)
        made["kms key"] += 1
    for i in range(30 * scale):
        logs.create_log_group(logGroupName=f"/bench/app-{i}")
        if i % 2:
            logs.put_retention_policy(logGroupName=f"/bench/app-{i}", retentionInDays=90)
        made["log group"] += 1
    for i in range(20 * scale):
        sqs.create_queue(QueueName=f"bench-queue-{i}")
        sns.create_topic(Name=f"bench-topic-{i}")
        made["sqs queue"] += 1
        made["sns topic"] += 1
    dynamodb, ecr, secrets, lam = (
        _client(endpoint, s) for s in ("dynamodb", "ecr", "secretsmanager", "lambda")
    )
    for i in range(15 * scale):
        dynamodb.create_table(
            TableName=f"bench-table-{i}",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        made["dynamodb table"] += 1
    for i in range(15 * scale):
        ecr.create_repository(repositoryName=f"bench-repo-{i}")
        made["ecr repository"] += 1
    for i in range(20 * scale):
        secrets.create_secret(Name=f"bench-secret-{i}", SecretString="s3cr3t")
        made["secret"] += 1
    code = _lambda_zip()
    for i in range(15 * scale):
        lam.create_function(
            FunctionName=f"bench-fn-{i}",
            Runtime="python3.12",
            Role=roles[i % len(roles)],
            Handler="handler.handler",
            Code={"ZipFile": code},
        )
        made["lambda function"] += 1
    return made


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
