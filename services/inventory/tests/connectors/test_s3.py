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


def test_versioning_logging_and_lifecycle(aws: Any, discover: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="bare-bucket")
    s3.create_bucket(Bucket="access-logs")
    s3.put_bucket_acl(
        Bucket="access-logs",
        GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
        GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
    )
    s3.create_bucket(Bucket="kept-bucket")
    s3.put_bucket_versioning(Bucket="kept-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket="kept-bucket",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "kept/"}
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket="kept-bucket",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": 30},
                }
            ]
        },
    )

    found = discover("aws.s3.bucket")

    bad = found["arn:aws:s3:::bare-bucket"].config
    good = found["arn:aws:s3:::kept-bucket"].config
    assert bad["Versioning"] == {"Status": None, "MFADelete": None}
    assert (bad["Logging"], bad["Lifecycle"]) == (None, None)
    assert good["Versioning"]["Status"] == "Enabled"
    assert good["Logging"] == {"TargetBucket": "access-logs", "TargetPrefix": "kept/"}
    [rule] = good["Lifecycle"]
    assert (rule["ID"], rule["Status"], rule["Expiration"]) == ("expire", "Enabled", {"Days": 30})


def test_a_listing_that_names_the_region_saves_the_location_call(aws: Any, moto_url: str) -> None:
    from pacbot.common.aws import AccountAccess, AwsSessionFactory
    from pacbot.inventory.connectors import CONNECTORS, Scope

    aws("s3", "eu-west-1").create_bucket(
        Bucket="far-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    scope = Scope(
        AwsSessionFactory(endpoint_url=moto_url),
        AccountAccess("123456789012"),
        "global",
        "us-east-1",
    )
    asked: list[str] = []
    scope.client("s3").meta.events.register(
        "before-call.s3.GetBucketLocation", lambda **kw: asked.append("location")
    )
    connector = CONNECTORS.get("aws.s3.bucket")()
    (listed,) = connector.list_resources(scope)
    without = connector.describe(scope, {k: v for k, v in listed.items() if k != "BucketRegion"})
    assert asked == ["location"]  # moto's listing names no region: the location call answers
    named = connector.describe(scope, {**listed, "BucketRegion": "eu-west-1"})
    assert asked == ["location"]
    assert without is not None
    assert named is not None
    assert named.region == without.region == "eu-west-1"
    assert named.config == without.config
