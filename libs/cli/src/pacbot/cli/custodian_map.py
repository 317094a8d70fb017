"""Cloud Custodian → PacBot vocabulary: resource names and the named filters that map.

Only what is needed to translate a Custodian policy file; the importer never imports c7n.
"""

from __future__ import annotations


# Custodian AWS resource names come from the inventory's connector registry (each connector
# declares its Custodian name(s)), so a new resource type maps as soon as it is discovered.
def resources() -> dict[str, str]:
    """Custodian AWS resource name (without ``aws.``) → PacBot resource type."""
    from pacbot.inventory.connectors import CONNECTORS

    return CONNECTORS.custodian_names()


# Custodian's ``account`` is one resource with many filters; PacBot models each account-level
# setting as its own type, so an ``account`` policy maps by the filters it uses.
ACCOUNT_FILTERS: dict[str, str] = {
    "iam-summary": "aws.iam.account_summary",
    "password-policy": "aws.iam.password_policy",
    "default-ebs-encryption": "aws.ec2.ebs_encryption_default",
    "has-virtual-mfa": "aws.iam.account_summary",
}

# Where each type keeps the resource policy ``has-statement`` / ``cross-account`` read.
RESOURCE_POLICY_KEYS: dict[str, str] = {
    "aws.s3.bucket": "Policy",
    "aws.sqs.queue": "Policy",
    "aws.sns.topic": "Policy",
    "aws.kms.key": "Policy",
    "aws.lambda.function": "Policy",
    "aws.ecr.repository": "Policy",
    "aws.apigateway.rest_api": "Policy",
    "aws.opensearch.domain": "AccessPolicies",
    "aws.efs.file_system": "FileSystemPolicy",
    "aws.backup.vault": "AccessPolicy",
    "aws.iam.role": "AssumeRolePolicyDocument",
}

# The timestamp each type's age filters (``instance-age``, ``image-age``, ``age``) read.
AGE_KEYS: dict[str, str] = {
    "aws.ec2.instance": "LaunchTime",
    "aws.ec2.image": "CreationDate",
    "aws.ec2.snapshot": "StartTime",
    "aws.rds.snapshot": "SnapshotCreateTime",
    "aws.iam.role": "CreateDate",
    "aws.iam.user": "CreateDate",
    "aws.iam.server_certificate": "UploadDate",
    "aws.s3.bucket": "CreationDate",
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
    "event": "reads the CloudTrail event that triggered an event-mode policy; PacBot has none",
    "metrics": "reads CloudWatch metrics, which PacBot assets do not carry",
    "offhour": "a schedule, not a property of the resource",
    "onhour": "a schedule, not a property of the resource",
    "config-compliance": "reads AWS Config rule results, which PacBot assets do not carry",
    "security-group": "joins the resource's security groups, which PacBot cannot do",
    "image": "joins the instance's AMI, whose attributes the instance's config does not carry",
    "launch-config": "joins the group's launch configuration; PacBot discovers launch templates",
    "resource_count": "counts the resources a policy matches; PacBot judges each on its own",
    "subnet": "joins the resource's subnets, which PacBot cannot do",
    "vpc": "joins the resource's VPC, which PacBot cannot do",
    "kms-key": "joins the resource's KMS key, which PacBot cannot do",
}

# Value types Custodian has and PacBot does not.
UNSUPPORTED_VALUE_TYPES = ("expr", "resource_count")

# Value-filter fields PacBot has no counterpart for.
UNSUPPORTED_VALUE_FIELDS = (
    "value_path",
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
