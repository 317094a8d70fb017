"""CloudTrail: one organisation-grade trail and one left at every default."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

TRAIL = "aws.cloudtrail.trail"


def seed(
    account: Account, bucket: str, key_arn: str, log_group_arn: str, role_arn: str
) -> list[Seeded]:
    """The hardened trail logs everywhere, validated, encrypted and to CloudWatch Logs."""
    trails = account.client("cloudtrail")
    good = trails.create_trail(
        Name=account.name_of("org-trail"),
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key_arn,
        CloudWatchLogsLogGroupArn=f"{log_group_arn}:*",
        CloudWatchLogsRoleArn=role_arn,
        IncludeGlobalServiceEvents=True,
    )
    every_object = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}
    trails.put_event_selectors(
        TrailName=good["TrailARN"],
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [every_object],
            }
        ],
    )
    trails.start_logging(Name=good["TrailARN"])
    bare = trails.create_trail(Name=account.name_of("bare-trail"), S3BucketName=bucket)
    return [
        seeded(TRAIL, good["TrailARN"]),
        seeded(
            TRAIL,
            bare["TrailARN"],
            {
                "aws-cloudtrail-trail-cloudwatch-logs",
                "aws-cloudtrail-trail-kms-encrypted",
                "aws-cloudtrail-trail-log-file-validation",
                "aws-cloudtrail-trail-multi-region-logging",
            },
        ),
    ]
