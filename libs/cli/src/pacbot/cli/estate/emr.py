"""EMR clusters: one private, encrypted and logged; one encrypting only S3 data; one bare. Block
public access: on in production, never set in development.

moto starts EC2 instances for a cluster only when given explicit instance groups, so these
clusters use the instance-count form and have no instances (the estate's EC2 inventory stays
exactly what ``ec2`` declares); the public primary node is shown by the connector's own test.
"""

from __future__ import annotations

import json
from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

CLUSTER = "aws.emr.cluster"
BLOCK_PUBLIC_ACCESS = "aws.emr.block_public_access"
SECURITY_GROUP = "aws.ec2.security_group"
_UNENCRYPTED = {
    "aws-emr-cluster-encryption-at-rest",
    "aws-emr-cluster-encryption-in-transit",
    "aws-emr-cluster-local-disk-encryption",
}


def _security_configuration(account: Account, short: str, document: dict[str, Any]) -> str:
    """Create a security configuration; its name."""
    name = account.name_of(short)
    account.client("emr").create_security_configuration(
        Name=name, SecurityConfiguration=json.dumps(document)
    )
    return name


def _managed_groups(account: Account, subnet_id: str) -> list[Seeded]:
    """The security groups EMR creates for a cluster in a VPC (ElasticMapReduce-*), where this
    moto made them: they only let the cluster's nodes reach each other, so they pass."""
    ec2 = account.client("ec2")
    vpc_id = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["VpcId"]
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["ElasticMapReduce-*"]},
        ]
    )["SecurityGroups"]
    return [
        seeded(SECURITY_GROUP, account.arn("ec2", f"security-group/{g['GroupId']}")) for g in groups
    ]


def seed(account: Account, key_arn: str, logs_bucket: str, subnet_id: str) -> list[Seeded]:
    """Every cluster with what it must fail."""
    emr = account.client("emr")
    s3_kms = {"EncryptionMode": "SSE-KMS", "AwsKmsKey": key_arn}
    hardened = _security_configuration(
        account,
        "emr-encrypted",
        {
            "EncryptionConfiguration": {
                "EnableAtRestEncryption": True,
                "EnableInTransitEncryption": True,
                "AtRestEncryptionConfiguration": {
                    "S3EncryptionConfiguration": s3_kms,
                    "LocalDiskEncryptionConfiguration": {
                        "EncryptionKeyProviderType": "AwsKms",
                        "AwsKmsKey": key_arn,
                        "EnableEbsEncryption": True,
                    },
                },
                "InTransitEncryptionConfiguration": {
                    "TLSCertificateConfiguration": {
                        "CertificateProviderType": "PEM",
                        "S3Object": f"s3://{logs_bucket}/emr/certificates.zip",
                    }
                },
            }
        },
    )
    s3_only = _security_configuration(
        account,
        "emr-s3-only",
        {
            "EncryptionConfiguration": {
                "EnableAtRestEncryption": True,
                "EnableInTransitEncryption": False,
                "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": s3_kms},
            }
        },
    )

    def cluster(short: str, **settings: Any) -> str:
        answer = emr.run_job_flow(
            Name=account.name_of(short),
            ReleaseLabel="emr-7.1.0",
            Applications=[{"Name": "Spark"}, {"Name": "Hive"}],
            Instances={
                "MasterInstanceType": "m5.xlarge",
                "SlaveInstanceType": "m5.xlarge",
                "InstanceCount": 3,
                "KeepJobFlowAliveWhenNoSteps": True,
                "Ec2SubnetId": subnet_id,
            },
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
            VisibleToAllUsers=True,
            **settings,
        )
        return str(answer["ClusterArn"])

    analytics = cluster(
        "analytics",
        LogUri=f"s3://{logs_bucket}/emr/",
        SecurityConfiguration=hardened,
        Tags=[{"Key": "Owner", "Value": "data-team@example.com"}],
    )
    reporting = cluster(
        "reporting", LogUri=f"s3://{logs_bucket}/emr/", SecurityConfiguration=s3_only
    )
    adhoc = cluster("adhoc")
    return [
        *_managed_groups(account, subnet_id),
        seeded(CLUSTER, analytics),
        seeded(
            CLUSTER,
            reporting,
            {"aws-emr-cluster-encryption-in-transit", "aws-emr-cluster-local-disk-encryption"},
        ),
        seeded(CLUSTER, adhoc, _UNENCRYPTED | {"aws-emr-cluster-logging"}),
        *block_public_access(account),
    ]


def _block_arn(account: Account) -> str:
    return account.arn("elasticmapreduce", "block-public-access")


def block_public_access(account: Account) -> list[Seeded]:
    """Block public access on in the account's region, SSH the one range still permitted."""
    account.client("emr").put_block_public_access_configuration(
        BlockPublicAccessConfiguration={
            "BlockPublicSecurityGroupRules": True,
            "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
        }
    )
    return [seeded(BLOCK_PUBLIC_ACCESS, _block_arn(account))]


def lax(account: Account) -> list[Seeded]:
    """The setting of an account that never set it (created before AWS turned it on by default).

    moto keeps one EMR setting for every region of an account, so an account that turned it
    on in one region shows it on in all; the estate turns it on in every production region and
    in no development one, which is true on AWS as well.
    """
    return [
        seeded(BLOCK_PUBLIC_ACCESS, _block_arn(account), {"aws-emr-block-public-access-enabled"})
    ]
