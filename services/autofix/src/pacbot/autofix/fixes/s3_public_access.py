"""Fix ``s3-block-public-access``: turn on all four S3 Block Public Access settings of a bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, Fix, FixTarget, ResourceGone
from pacbot.autofix.fixes._registry import FIXES

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _public_access_block(s3: Any, bucket: str) -> dict[str, bool] | None:
    try:
        response = s3.get_public_access_block(Bucket=bucket)
    except ClientError as exc:
        if _error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise
    config = response["PublicAccessBlockConfiguration"]
    return {flag: bool(config.get(flag)) for flag in FLAGS}


@FIXES.register
class S3BlockPublicAccess(Fix):
    """Blocks public ACLs and policies at the bucket; the ACL is read too so the backup is whole."""

    name = "s3-block-public-access"
    resource_type = "aws.s3.bucket"
    permissions = (
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketAcl",
        "s3:PutBucketPublicAccessBlock",
    )
    description = "Enable all four S3 Block Public Access settings"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The bucket's public access block (null when none) and its ACL."""
        s3 = aws.client("s3")
        try:
            block = _public_access_block(s3, target.name)
            acl = s3.get_bucket_acl(Bucket=target.name)
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket":
                raise ResourceGone(f"bucket {target.name} no longer exists") from exc
            raise
        return {
            "PublicAccessBlock": block,
            "Acl": {"Owner": acl.get("Owner", {}), "Grants": acl.get("Grants", [])},
        }

    def is_compliant(self, current: dict[str, Any]) -> bool:
        """All four flags are on."""
        block = current.get("PublicAccessBlock") or {}
        return all(block.get(flag) is True for flag in FLAGS)

    def apply(self, aws: AccountAws, target: FixTarget) -> None:
        """Put a public access block with every flag true."""
        aws.client("s3").put_public_access_block(
            Bucket=target.name,
            PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, True),
        )
