"""A realistic simulated AWS estate: every resource hardened to the pack's baseline, then broken
on purpose, with the exact failures a scan must report declared next to the seeding code.

``seed`` / ``ESTATE`` are the demo's S3 buckets. ``seed_estate`` builds the whole estate (every
resource type moto can hold) in one account and region; ``seed_lax`` builds the second account
whose account-level singletons are left at their insecure defaults.
"""

from __future__ import annotations

import boto3

from pacbot.cli.estate import (
    acm,
    apigateway,
    athena,
    autoscaling,
    awslambda,
    backup,
    cloudfront,
    cloudtrail,
    cloudwatch,
    codebuild,
    config,
    detectors,
    dms,
    dynamodb,
    ec2,
    ecr,
    ecs,
    efs,
    efs_access_point,
    eks,
    elasticache,
    elb,
    emr,
    firehose,
    glue,
    guardduty,
    iam,
    kinesis,
    kms,
    logs,
    mq,
    network_links,
    opensearch,
    organizations,
    posture,
    rds,
    redshift,
    route53,
    sagemaker,
    secretsmanager,
    sns,
    sqs,
    ssm,
    stepfunctions,
    vpc,
    wafv2,
)
from pacbot.cli.estate import s3 as s3_estate
from pacbot.cli.estate._model import Account, Seeded
from pacbot.cli.estate.gaps import (
    MOTO_GAPS,
    NOT_BROKEN,
    NOT_SEEDED,
    SINGLETON_TYPES,
    SWEEP_ERRORS,
)
from pacbot.cli.estate.s3 import ESTATE, LOG_BUCKET, SeededBucket, seed

__all__ = [
    "ESTATE",
    "LOG_BUCKET",
    "MOTO_GAPS",
    "NOT_BROKEN",
    "NOT_SEEDED",
    "SINGLETON_TYPES",
    "SWEEP_ERRORS",
    "Account",
    "Seeded",
    "SeededBucket",
    "open_account",
    "seed",
    "seed_estate",
    "seed_lax",
]


def open_account(endpoint_url: str, account_id: str, region: str, name: str) -> Account:
    """Credentials for ``account_id`` on a moto server, by assuming a role in it.

    moto files every request under the account its access key belongs to, so a fresh account id
    is a clean, isolated account even on a server other tests share.
    """
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto accepts any credentials
    )
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{name}-seeder", RoleSessionName=name
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return Account(session, endpoint_url, region, account_id, name)


def seed_estate(account: Account) -> list[Seeded]:
    """Every resource of the estate, in dependency order; returns what each must fail."""
    found: list[Seeded] = []
    key_arn, keys = kms.seed(account)
    found += keys
    log_groups, groups = logs.seed(account, key_arn)
    found += groups
    identities = iam.seed(account)
    found += identities.seeded
    network = vpc.seed(account, log_groups["flow-logs"], identities.service_role_arn)
    found += network.seeded
    found += ec2.seed(account, network, identities.instance_profile)
    buckets = s3_estate.seed(account.client("s3"), s3_estate.renamed(account.name))
    found += s3_estate.as_seeded(buckets)
    trail_bucket = next(b.name for b in buckets if b.name.endswith("cloudtrail-logs"))
    found += cloudtrail.seed(
        account, trail_bucket, key_arn, log_groups["cloudtrail"], identities.service_role_arn
    )
    found += guardduty.seed(account)
    found += config.seed(account, trail_bucket, identities.service_role_arn)
    alerts, topics = sns.seed(account, key_arn)
    found += topics
    dead_letter, queues = sqs.seed(account, key_arn)
    found += queues
    found += posture.seed(account, log_groups["cloudtrail"], alerts, dead_letter)
    found += dynamodb.seed(account, key_arn)
    functions = awslambda.seed(account, identities.service_role_arn, dead_letter)
    found += functions
    found += ecr.seed(account)
    found += secretsmanager.seed(account, key_arn, functions[0].resource_id)
    subnets = [network.private_subnet, network.public_subnet]
    found += rds.seed(account, key_arn, subnets)
    certificate, certificates = acm.seed(account)
    found += certificates
    logs_bucket = buckets[0].name
    found += elb.seed(account, subnets, network.app_group, certificate, logs_bucket)
    found += apigateway.seed(account, log_groups["app"])
    site_bucket = next(b.name for b in buckets if b.name.endswith("marketing-site"))
    found += cloudfront.seed(account, site_bucket, logs_bucket, certificate)
    found += efs.seed(account, key_arn)
    found += eks.seed(account, identities.service_role_arn, subnets, key_arn)
    found += elasticache.seed(account)
    found += opensearch.seed(account, subnets, network.app_group, log_groups["app"])
    found += redshift.seed(account, key_arn, logs_bucket)
    found += stepfunctions.seed(account, identities.service_role_arn, log_groups["app"], key_arn)
    found += backup.seed(account, key_arn)
    found += autoscaling.seed(account, network.vpc_id, subnets, network.app_group)
    found += ssm.seed(account, key_arn)
    found += codebuild.seed(account, identities.service_role_arn)
    found += route53.seed(account, network.vpc_id, key_arn)
    found += sagemaker.seed(
        account, key_arn, network.private_subnet, network.app_group, identities.service_role_arn
    )
    found += athena.seed(account, key_arn)
    found += ecs.seed(account, subnets, network.app_group)
    found += kinesis.seed(account, key_arn)
    found += firehose.seed(account, identities.service_role_arn, logs_bucket)
    found += glue.seed(account, key_arn, identities.service_role_arn)
    found += wafv2.seed(account)
    found += organizations.seed(account)
    found += emr.seed(account, key_arn, logs_bucket, network.private_subnet)
    found += network_links.seed(account, network.vpc_id, logs_bucket)
    found += cloudwatch.seed(account, alerts)
    found += mq.seed(account, key_arn, subnets, network.app_group)
    found += dms.seed(account, key_arn)
    found += efs_access_point.seed(account)
    found += detectors.seed(account)
    return found


def seed_lax(account: Account) -> list[Seeded]:
    """The second account: only account-level singletons, each left at AWS's insecure default."""
    singletons = (
        ec2.lax,
        iam.lax,
        guardduty.lax,
        config.lax,
        posture.lax,
        glue.lax,
        athena.lax,
        emr.lax,
    )
    return [s for lax in singletons for s in lax(account)]
