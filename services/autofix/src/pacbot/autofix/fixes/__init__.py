"""The fix registry and the fixes PacBot ships; importing this package registers them all."""

from pacbot.autofix.fixes import (
    cloudtrail,
    ec2,
    iam,
    kms,
    logs,
    rds,
    redshift,
    resource_policies,
    s3,
    s3_public_access,
    security_groups,
)
from pacbot.autofix.fixes._base import (
    AccountAws,
    ApiCall,
    Fix,
    FixTarget,
    NotReversible,
    ResourceGone,
    error_code,
)
from pacbot.autofix.fixes._registry import FIXES, FixRegistry

__all__ = [
    "FIXES",
    "AccountAws",
    "ApiCall",
    "Fix",
    "FixRegistry",
    "FixTarget",
    "NotReversible",
    "ResourceGone",
    "cloudtrail",
    "ec2",
    "error_code",
    "iam",
    "kms",
    "logs",
    "rds",
    "redshift",
    "resource_policies",
    "s3",
    "s3_public_access",
    "security_groups",
]
