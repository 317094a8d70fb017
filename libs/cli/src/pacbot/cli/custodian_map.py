"""Cloud Custodian → PacBot vocabulary: resource names and the named filters that map.

Only what is needed to translate a Custodian policy file; the importer never imports c7n.
"""

from __future__ import annotations

# Custodian AWS resource name (without the ``aws.`` prefix) → PacBot resource type. Every
# PacBot type with a Custodian equivalent is here; the account-level settings PacBot models
# as assets (EBS encryption by default, the IAM password policy and account summary,
# GuardDuty detectors) are filters on Custodian's ``aws.account``, so they have no entry.
RESOURCES: dict[str, str] = {
    "acm-certificate": "aws.acm.certificate",
    "rest-api": "aws.apigateway.rest_api",
    "distribution": "aws.cloudfront.distribution",
    "cloudtrail": "aws.cloudtrail.trail",
    "config-recorder": "aws.config.recorder",
    "dynamodb-table": "aws.dynamodb.table",
    "elastic-ip": "aws.ec2.elastic_ip",
    "network-addr": "aws.ec2.elastic_ip",
    "ami": "aws.ec2.image",
    "ec2": "aws.ec2.instance",
    "internet-gateway": "aws.ec2.internet_gateway",
    "nat-gateway": "aws.ec2.nat_gateway",
    "network-acl": "aws.ec2.network_acl",
    "eni": "aws.ec2.network_interface",
    "route-table": "aws.ec2.route_table",
    "security-group": "aws.ec2.security_group",
    "ebs-snapshot": "aws.ec2.snapshot",
    "subnet": "aws.ec2.subnet",
    "ebs": "aws.ec2.volume",
    "vpc": "aws.ec2.vpc",
    "ecr": "aws.ecr.repository",
    "efs": "aws.efs.file_system",
    "eks": "aws.eks.cluster",
    "cache-cluster": "aws.elasticache.cluster",
    "elb": "aws.elb.load_balancer",
    "app-elb": "aws.elbv2.load_balancer",
    "iam-group": "aws.iam.group",
    "iam-policy": "aws.iam.policy",
    "iam-role": "aws.iam.role",
    "iam-certificate": "aws.iam.server_certificate",
    "iam-user": "aws.iam.user",
    "kms-key": "aws.kms.key",
    "lambda": "aws.lambda.function",
    "log-group": "aws.logs.log_group",
    "elasticsearch": "aws.opensearch.domain",
    "rds-cluster": "aws.rds.cluster",
    "rds": "aws.rds.instance",
    "rds-snapshot": "aws.rds.snapshot",
    "redshift": "aws.redshift.cluster",
    "s3": "aws.s3.bucket",
    "secrets-manager": "aws.secretsmanager.secret",
    "sns": "aws.sns.topic",
    "sqs": "aws.sqs.queue",
}

# Where each IAM resource keeps the policy documents ``has-allow-all``-style checks read.
IAM_POLICY_KEYS: dict[str, str] = {
    "aws.iam.policy": "PolicyDocument",
}

# Named filters that are known and deliberately not converted, with the reason given.
NOT_CONVERTIBLE: dict[str, str] = {
    "marked-for-op": (
        "depends on the tag Custodian's own mark-for-op action writes to schedule an action;"
        " PacBot has no such schedule (use autofix grace periods instead)"
    ),
    "cross-account": (
        "needs Custodian's whitelist of trusted accounts; PacBot's nearest check,"
        " iam-policy-public-principal, only detects public (*) principals"
    ),
    "has-statement": (
        "matches arbitrary statement shapes of the resource policy; PacBot's checks only"
        " cover admin (*:* on *) and public-principal statements"
    ),
    "event": "reads the CloudTrail event that triggered an event-mode policy; PacBot has none",
    "metrics": "reads CloudWatch metrics, which PacBot assets do not carry",
    "offhour": "a schedule, not a property of the resource",
    "onhour": "a schedule, not a property of the resource",
    "config-compliance": "reads AWS Config rule results, which PacBot assets do not carry",
    "security-group": "joins the resource's security groups, which PacBot cannot do",
    "subnet": "joins the resource's subnets, which PacBot cannot do",
    "vpc": "joins the resource's VPC, which PacBot cannot do",
    "kms-key": "joins the resource's KMS key, which PacBot cannot do",
    "unused": "needs the whole inventory (what uses the resource), not one asset's config",
    "used": "needs the whole inventory (what uses the resource), not one asset's config",
}

# Value types Custodian has and PacBot does not.
UNSUPPORTED_VALUE_TYPES = ("expr", "cidr_size", "version", "resource_count")

# Value-filter fields PacBot has no counterpart for.
UNSUPPORTED_VALUE_FIELDS = (
    "value_from",
    "value_path",
    "value_regex",
    "default",
    "tag_key_transforms",
)

# Custodian's special values: with no op (or ``eq``) they are unary operators.
SPECIAL_VALUES = ("absent", "present", "not-null", "empty")

# Exact complements when no value_type is involved (then a missing key converts both ways).
COMPLEMENTS: dict[str, str] = {
    "eq": "ne",
    "ne": "eq",
    "in": "not-in",
    "not-in": "in",
    "absent": "present",
    "present": "absent",
    "empty": "not-empty",
    "not-empty": "empty",
}
