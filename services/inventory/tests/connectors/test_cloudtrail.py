"""CloudTrail trails through the connector directly: a hardened trail and a weak one."""

from __future__ import annotations

from typing import Any

ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/"


def test_multi_region_validated_encrypted_trail_vs_single_region_plain_one(
    aws: Any, discover: Any
) -> None:
    aws("s3").create_bucket(Bucket="audit-logs")
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    ct = aws("cloudtrail")
    ct.create_trail(
        Name="org-audit",
        S3BucketName="audit-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
        TagsList=[{"Key": "Owner", "Value": "security"}],
    )
    ct.start_logging(Name="org-audit")
    ct.put_event_selectors(
        TrailName="org-audit",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    ct.create_trail(Name="dev-trail", S3BucketName="audit-logs")

    found = discover("aws.cloudtrail.trail")

    assert set(found) == {ARN + "org-audit", ARN + "dev-trail"}
    good, bad = found[ARN + "org-audit"], found[ARN + "dev-trail"]
    assert good.owner == "security"
    assert good.config["IsMultiRegionTrail"] is True
    assert good.config["LogFileValidationEnabled"] is True
    assert good.config["KmsKeyId"] == key
    assert good.config["S3BucketName"] == "audit-logs"
    assert good.config["IsLogging"] is True
    assert good.config["EventSelectors"][0]["ReadWriteType"] == "All"
    assert bad.config["IsMultiRegionTrail"] is False
    assert bad.config["LogFileValidationEnabled"] is False
    assert bad.config.get("KmsKeyId") is None
    assert bad.config["IsLogging"] is False
    assert bad.config["Tags"] == {}
    # A multi-region trail is an asset of its home region only.
    assert discover("aws.cloudtrail.trail", "eu-west-1") == {}
