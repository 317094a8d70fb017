"""``s3-block-public-access`` against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pacbot.autofix.fixes import FIXES, AccountAws

from .conftest import drill, target


def test_blocks_public_access_and_rolls_back(aws: AccountAws, client: Callable[[str], Any]) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="wide-open")
    fix = FIXES.get("s3-block-public-access")
    assert fix is not None
    where = target("aws.s3.bucket", "wide-open", "arn:aws:s3:::wide-open")
    assert drill(fix, aws, where) == {"PublicAccessBlock": None}


def test_a_partial_block_is_restored_as_it_was(
    aws: AccountAws, client: Callable[[str], Any]
) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="half-open")
    partial = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    s3.put_public_access_block(Bucket="half-open", PublicAccessBlockConfiguration=partial)
    fix = FIXES.get("s3-block-public-access")
    assert fix is not None
    backup = drill(fix, aws, target("aws.s3.bucket", "half-open"))
    assert backup == {"PublicAccessBlock": partial}
