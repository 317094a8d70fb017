"""The account's posture (one asset per account): CIS monitoring alarms, data-event trails,
Security Hub, Access Analyzer and a support role, which only hold across several services.

The estate account gets the CIS 4.1-4.15 metric filters on its organisation trail's log group,
each with an alarm notifying a subscribed topic; the lax account has none of it.
"""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

POSTURE = "aws.account.posture"

# The filter patterns CIS AWS Foundations Benchmark v3.0 gives for controls 4.1-4.15.
CIS_PATTERNS = {
    "4.1": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") '
    '&& ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    "4.2": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "4.3": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "4.4": "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) "
    "|| ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) "
    "|| ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) "
    "|| ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) "
    "|| ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) "
    "|| ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) "
    "|| ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) "
    "|| ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }",
    "4.5": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) "
    "|| ($.eventName = DeleteTrail) || ($.eventName = StartLogging) "
    "|| ($.eventName = StopLogging) }",
    "4.6": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "4.7": "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) "
    "|| ($.eventName = ScheduleKeyDeletion)) }",
    "4.8": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) "
    "|| ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) "
    "|| ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) "
    "|| ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) "
    "|| ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "4.9": "{ ($.eventSource = config.amazonaws.com) "
    "&& (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) "
    "|| ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }",
    "4.10": "{ ($.eventName = AuthorizeSecurityGroupIngress) "
    "|| ($.eventName = AuthorizeSecurityGroupEgress) "
    "|| ($.eventName = RevokeSecurityGroupIngress) "
    "|| ($.eventName = RevokeSecurityGroupEgress) "
    "|| ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "4.11": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) "
    "|| ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) "
    "|| ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "4.12": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) "
    "|| ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) "
    "|| ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "4.13": "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
    "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) "
    "|| ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) "
    "|| ($.eventName = DisassociateRouteTable) }",
    "4.14": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) "
    "|| ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) "
    "|| ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) "
    "|| ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) "
    "|| ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) "
    "|| ($.eventName = EnableVpcClassicLink) }",
    "4.15": "{ ($.eventSource = organizations.amazonaws.com) "
    '&& (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") '
    '|| ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") '
    '|| ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") '
    '|| ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") '
    '|| ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") '
    '|| ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") '
    '|| ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") '
    '|| ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") '
    '|| ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
}
ALARM_POLICIES = {
    "4.1": "aws-account-alarm-unauthorized-api-calls",
    "4.2": "aws-account-alarm-console-signin-without-mfa",
    "4.3": "aws-account-alarm-root-account-usage",
    "4.4": "aws-account-alarm-iam-policy-changes",
    "4.5": "aws-account-alarm-cloudtrail-config-changes",
    "4.6": "aws-account-alarm-console-authentication-failures",
    "4.7": "aws-account-alarm-cmk-disable-or-deletion",
    "4.8": "aws-account-alarm-s3-bucket-policy-changes",
    "4.9": "aws-account-alarm-config-changes",
    "4.10": "aws-account-alarm-security-group-changes",
    "4.11": "aws-account-alarm-nacl-changes",
    "4.12": "aws-account-alarm-network-gateway-changes",
    "4.13": "aws-account-alarm-route-table-changes",
    "4.14": "aws-account-alarm-vpc-changes",
    "4.15": "aws-account-alarm-organizations-changes",
}
GAPS = ("aws-account-access-analyzer-all-regions", "aws-account-support-role")


def _arn(account: Account) -> str:
    return f"arn:aws:account::{account.account_id}:posture"


def seed(account: Account, trail_log_group: str, topic_arn: str, queue_arn: str) -> list[Seeded]:
    """CIS alarms on the trail's log group notifying a subscribed topic; Security Hub on."""
    logs = account.client("logs")
    cloudwatch = account.client("cloudwatch")
    account.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    group = trail_log_group.split(":log-group:")[1]
    for control, pattern in CIS_PATTERNS.items():
        metric = f"cis-{control.replace('.', '-')}"
        logs.put_metric_filter(
            logGroupName=group,
            filterName=metric,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=account.name_of(metric),
            MetricName=metric,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic_arn],
        )
    account.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    return [seeded(POSTURE, _arn(account), gaps=GAPS)]


def lax(account: Account) -> list[Seeded]:
    """A single-region trail, not logging, into a bucket without access logs; nothing else."""
    bucket = account.name_of("trail-bucket")
    account.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": account.region}
    )
    trails = account.client("cloudtrail")
    trails.create_trail(Name=account.name_of("forgotten"), S3BucketName=bucket)
    broken = {
        *ALARM_POLICIES.values(),
        "aws-account-cloudtrail-active-multi-region",
        "aws-account-cloudtrail-bucket-access-logging",
        "aws-account-s3-object-read-logging",
        "aws-account-s3-object-write-logging",
        "aws-account-security-hub-all-regions",
    }
    return [seeded(POSTURE, _arn(account), broken, GAPS)]
