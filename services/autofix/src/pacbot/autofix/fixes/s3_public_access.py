"""Fix ``s3-block-public-access``: turn on all four S3 Block Public Access settings of a bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _public_access_block(s3: Any, bucket: str) -> dict[str, bool] | None:
    try:
        response = s3.get_public_access_block(Bucket=bucket)
    except ClientError as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return None
        if error_code(exc) == "NoSuchBucket":
            raise ResourceGone(f"bucket {bucket} no longer exists") from exc
        raise
    config = response["PublicAccessBlockConfiguration"]
    return {flag: bool(config.get(flag)) for flag in FLAGS}


@FIXES.register
class S3BlockPublicAccess(Fix):
    """Blocks public ACLs and policies at the bucket; rollback puts the old block back (or none)."""

    name = "s3-block-public-access"
    resource_type = "aws.s3.bucket"
    policies = ("aws-s3-bucket-public-access",)
    read_permissions = ("s3:GetBucketPublicAccessBlock",)
    write_permissions = ("s3:PutBucketPublicAccessBlock",)
    reversible = True
    backs_up = "the bucket's PublicAccessBlock configuration (null when it had none)"
    verifies = "reads the PublicAccessBlock back and requires all four flags on"
    description = "Enable all four S3 Block Public Access settings"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket's public access block (null when none)."""
        return {"PublicAccessBlock": _public_access_block(aws.client("s3"), target.name)}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """All four flags are on."""
        block = current.get("PublicAccessBlock") or {}
        return all(block.get(flag) is True for flag in FLAGS)

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One PutPublicAccessBlock with every flag true, unless they already are."""
        if self.is_compliant(current, target):
            return []
        config = dict.fromkeys(FLAGS, True)
        return [
            ApiCall(
                "s3",
                "put_public_access_block",
                {"Bucket": target.name, "PublicAccessBlockConfiguration": config},
            )
        ]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the backed-up block back, or delete the block when the bucket had none."""
        old = backup.get("PublicAccessBlock")
        if old == current.get("PublicAccessBlock"):
            return []
        if old is None:
            return [ApiCall("s3", "delete_public_access_block", {"Bucket": target.name})]
        return [
            ApiCall(
                "s3",
                "put_public_access_block",
                {"Bucket": target.name, "PublicAccessBlockConfiguration": dict(old)},
            )
        ]
