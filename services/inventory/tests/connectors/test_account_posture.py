"""The account posture connector against moto: a CIS-compliant account, a weak one, an empty one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pacbot.inventory.connectors._cis_monitoring import CIS_LOG_CONTROLS

ACCOUNT = "123456789012"
POSTURE = f"arn:aws:account::{ACCOUNT}:posture"
GROUP = "cloudtrail/org-audit"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"},
    ],
}
# The benchmark's own spellings where they differ from the canonical form in _cis_monitoring.
CIS_TEXT = {
    "4.1": "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || "
    "($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }",
    "4.4": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
    "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||"
    "($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
    "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||"
    "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
    "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
}


@pytest.fixture
def managed_policies(moto_url: str) -> Iterator[None]:
    """The in-process moto with AWS managed policies (AWSSupportAccess) loaded, then without.

    moto reads MOTO_IAM_LOAD_MANAGED_POLICIES when it rebuilds the IAM backend after a reset;
    its /moto-api/config endpoint has no IAM setting.
    """
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        httpx.post(f"{moto_url}/moto-api/reset").raise_for_status()
        yield
    httpx.post(f"{moto_url}/moto-api/reset").raise_for_status()


def audit_trail(aws: Any, selectors: list[dict[str, Any]]) -> None:
    """An active multi-region trail into ``audit-logs`` and the CloudWatch log group GROUP."""
    aws("s3").create_bucket(Bucket="audit-logs")
    aws("logs").create_log_group(logGroupName=GROUP)
    role = aws("iam").create_role(
        RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps(TRUST)
    )["Role"]["Arn"]
    ct = aws("cloudtrail")
    ct.create_trail(
        Name="org-audit",
        S3BucketName="audit-logs",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=GROUP_ARN,
        CloudWatchLogsRoleArn=role,
    )
    ct.start_logging(Name="org-audit")
    ct.put_event_selectors(TrailName="org-audit", EventSelectors=selectors)


def watch(aws: Any, control: str, pattern: str, topic: str | None, enabled: bool = True) -> None:
    """A metric filter for ``control`` on GROUP and, with a topic, an alarm notifying it."""
    metric = f"cis-{control}"
    aws("logs").put_metric_filter(
        logGroupName=GROUP,
        filterName=metric,
        filterPattern=pattern,
        metricTransformations=[
            {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
        ],
    )
    if topic is None:
        return
    aws("cloudwatch").put_metric_alarm(
        AlarmName=f"{metric}-alarm",
        MetricName=metric,
        Namespace="CISBenchmark",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic],
        ActionsEnabled=enabled,
    )


def subscribed_topic(aws: Any, name: str) -> str:
    """An SNS topic with one confirmed (SQS) subscriber."""
    topic: str = aws("sns").create_topic(Name=name)["TopicArn"]
    queue = aws("sqs").create_queue(QueueName=f"{name}-queue")["QueueUrl"]
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    aws("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"]
    )
    return topic


def posture(discover: Any) -> dict[str, Any]:
    found = discover("aws.account.posture")
    assert list(found) == [POSTURE]
    asset = found[POSTURE]
    assert (asset.name, asset.region, asset.tags) == (ACCOUNT, "global", {})
    config: dict[str, Any] = asset.config
    return config


def test_compliant_account(aws: Any, discover: Any, managed_policies: None) -> None:
    iam = aws("iam")
    iam.create_role(RoleName="support", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    all_objects = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}
    audit_trail(
        aws,
        [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [all_objects]}],
    )
    aws("s3").create_bucket(Bucket="access-logs")
    aws("s3").put_bucket_acl(
        Bucket="access-logs",
        GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
        GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
    )
    aws("s3").put_bucket_logging(
        Bucket="audit-logs",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "audit/"}
        },
    )
    topic = subscribed_topic(aws, "security-alerts")
    for control in CIS_LOG_CONTROLS:
        watch(aws, control.control, CIS_TEXT.get(control.control, control.pattern), topic)
    regions = [r["RegionName"] for r in aws("ec2").describe_regions()["Regions"]]
    for region in regions:
        aws("securityhub", region).enable_security_hub()

    config = posture(discover)

    assert config["SupportRoles"] == [f"arn:aws:iam::{ACCOUNT}:role/support"]
    assert config["ActiveMultiRegionTrails"] == ["org-audit"]
    assert config["CloudTrailBuckets"] == [
        {"Bucket": "audit-logs", "LoggingEnabled": True, "TargetBucket": "access-logs"}
    ]
    assert config["S3ObjectLogging"] == {"WriteTrails": ["org-audit"], "ReadTrails": ["org-audit"]}
    filters = config["CisMetricFilters"]
    assert sorted(filters, key=lambda c: [int(p) for p in c.split(".")]) == [
        f"4.{n}" for n in range(1, 16)
    ]
    for control, fact in filters.items():
        assert fact["Monitored"] is True, control
        [matched] = fact["MetricFilters"]
        assert matched["FilterName"] == f"cis-{control}"
        assert matched["Metrics"] == [f"CISBenchmark/cis-{control}"]
        assert matched["Alarms"] == [
            {
                "AlarmName": f"cis-{control}-alarm",
                "ActionsEnabled": True,
                "Topics": [{"TopicArn": topic, "ConfirmedSubscriptions": 1}],
            }
        ]
    assert config["SecurityHub"] == {"EnabledRegions": sorted(regions), "MissingRegions": []}
    # moto 5.2 does not implement IAM Access Analyzer: the fact says so instead of guessing.
    assert config["AccessAnalyzer"]["MissingRegions"] == []
    assert "does not implement accessanalyzer" in config["AccessAnalyzer"]["Unavailable"]


def test_weak_account(aws: Any, discover: Any) -> None:
    one_bucket = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::audit-logs/"]}
    audit_trail(
        aws,
        [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [one_bucket]}],
    )
    aws("s3", "eu-west-1").create_bucket(
        Bucket="eu-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    aws("cloudtrail", "eu-west-1").create_trail(Name="eu-only", S3BucketName="eu-logs")
    silent = aws("sns").create_topic(Name="nobody-listens")["TopicArn"]
    subscribed = subscribed_topic(aws, "security-alerts")
    controls = {c.control: c for c in CIS_LOG_CONTROLS}
    watch(aws, "4.3", '{ $.userIdentity.type = "Root" }', subscribed)  # misses invokedBy
    watch(aws, "4.4", controls["4.4"].pattern, silent)  # nobody is told
    watch(aws, "4.5", controls["4.5"].pattern, None)  # no alarm
    watch(aws, "4.6", controls["4.6"].pattern, subscribed, enabled=False)
    aws("securityhub").enable_security_hub()

    config = posture(discover)

    assert config["SupportRoles"] == []
    assert [t["Name"] for t in config["Trails"]] == ["eu-only", "org-audit"]
    assert config["ActiveMultiRegionTrails"] == ["org-audit"]
    eu_only = config["Trails"][0]
    assert (eu_only["IsMultiRegionTrail"], eu_only["IsLogging"]) == (False, False)
    assert {b["Bucket"]: b["LoggingEnabled"] for b in config["CloudTrailBuckets"]} == {
        "audit-logs": False,
        "eu-logs": False,
    }
    assert config["S3ObjectLogging"] == {"WriteTrails": [], "ReadTrails": []}
    filters = config["CisMetricFilters"]
    assert not any(fact["Monitored"] for fact in filters.values())
    assert filters["4.3"]["MetricFilters"] == []
    assert filters["4.4"]["Alarmed"] is True
    assert filters["4.4"]["MetricFilters"][0]["Alarms"][0]["Topics"] == [
        {"TopicArn": silent, "ConfirmedSubscriptions": 0}
    ]
    assert (filters["4.5"]["Alarmed"], len(filters["4.5"]["MetricFilters"])) == (False, 1)
    assert filters["4.6"]["MetricFilters"][0]["Alarms"][0]["ActionsEnabled"] is False
    hub = config["SecurityHub"]
    assert hub["EnabledRegions"] == ["us-east-1"]
    assert "eu-west-1" in hub["MissingRegions"]


def test_account_without_trails(discover: Any, moto_url: str) -> None:
    config = posture(discover)
    assert config["Trails"] == config["ActiveMultiRegionTrails"] == []
    assert config["CloudTrailBuckets"] == []
    assert all(
        f == {"Title": f["Title"], "MetricFilters": [], "Alarmed": False, "Monitored": False}
        for f in config["CisMetricFilters"].values()
    )
    assert config["SecurityHub"]["EnabledRegions"] == []
