"""S3 buckets through the connector directly: a compliant and a misconfigured bucket."""

from __future__ import annotations

from typing import Any


def test_public_bucket_and_private_encrypted_bucket(aws: Any, discover: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="open-bucket")
    s3.put_bucket_acl(Bucket="open-bucket", ACL="public-read")
    s3.create_bucket(Bucket="closed-bucket")
    s3.put_bucket_encryption(
        Bucket="closed-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )

    found = discover("aws.s3.bucket")

    bad = found["arn:aws:s3:::open-bucket"].config
    good = found["arn:aws:s3:::closed-bucket"].config
    assert bad["PublicAclGrants"] == ["READ"]
    assert bad["Encryption"] is None
    assert good["PublicAclGrants"] == []
    rule = good["Encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "aws:kms"
