"""Account-wide assets whose facts an event changes without naming them.

A trail, a metric filter, an alarm or an SNS subscription feeds the account's posture asset
(``aws.account.posture``), whose id is the account, not the resource the call named; so do a few
one-per-account (or one-per-region) settings such as the password policy or EBS default
encryption. The calls that change those facts re-read the whole asset type in the account (and
the event's region, for regional types) instead of matching identifiers.
"""

from __future__ import annotations

POSTURE = "aws.account.posture"
LOGIN_RULES = "aws.iam.password_policy"
ACCOUNT_SUMMARY = "aws.iam.account_summary"
CONFIG_RECORDER = "aws.config.recorder"
EBS_DEFAULT = "aws.ec2.ebs_encryption_default"

_POSTURE_CALLS: dict[str, tuple[str, ...]] = {
    # CIS 3.1, 3.4, 3.8/3.9: the trails, their status, selectors and bucket logging.
    "cloudtrail": (
        "CreateTrail",
        "UpdateTrail",
        "DeleteTrail",
        "StartLogging",
        "StopLogging",
        "PutEventSelectors",
        "PutInsightSelectors",
    ),
    "s3": ("PutBucketLogging",),
    # CIS 4.1-4.15: metric filters on the trail's log group, their alarms and subscribers.
    "logs": ("PutMetricFilter", "DeleteMetricFilter", "DeleteLogGroup"),
    "monitoring": ("PutMetricAlarm", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions"),
    "sns": ("Subscribe", "Unsubscribe", "ConfirmSubscription", "DeleteTopic"),
    # CIS 1.20, 4.16, 1.17: analyzers, Security Hub, the support role.
    "access-analyzer": ("CreateAnalyzer", "DeleteAnalyzer"),
    "securityhub": ("EnableSecurityHub", "DisableSecurityHub"),
    "iam": ("AttachRolePolicy", "DetachRolePolicy", "DeleteRole"),
}
_SETTINGS_CALLS: dict[str, dict[str, tuple[str, ...]]] = {
    LOGIN_RULES: {"iam": ("UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy")},
    ACCOUNT_SUMMARY: {
        "iam": (
            "EnableMFADevice",
            "DeactivateMFADevice",
            "CreateVirtualMFADevice",
            "DeleteVirtualMFADevice",
            "CreateAccessKey",
            "DeleteAccessKey",
        )
    },
    CONFIG_RECORDER: {
        "config": (
            "PutConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "StartConfigurationRecorder",
            "StopConfigurationRecorder",
            "PutDeliveryChannel",
            "DeleteDeliveryChannel",
        )
    },
    EBS_DEFAULT: {
        "ec2": (
            "EnableEbsEncryptionByDefault",
            "DisableEbsEncryptionByDefault",
            "ModifyEbsDefaultKmsKeyId",
            "ResetEbsDefaultKmsKeyId",
        )
    },
}


def _table() -> dict[tuple[str, str], tuple[str, ...]]:
    table: dict[tuple[str, str], list[str]] = {}
    for source, names in _POSTURE_CALLS.items():
        for name in names:
            table.setdefault((source, name), []).append(POSTURE)
    for resource_type, calls in _SETTINGS_CALLS.items():
        for source, names in calls.items():
            for name in names:
                table.setdefault((source, name), []).append(resource_type)
    return {key: tuple(types) for key, types in table.items()}


ACCOUNT_WIDE: dict[tuple[str, str], tuple[str, ...]] = _table()
"""(event source prefix, event name) → the asset types the call changes account-wide."""


def account_wide(source_prefix: str, event_name: str) -> tuple[str, ...]:
    """The asset types to re-read whole for a call (none for calls that name their resource)."""
    return ACCOUNT_WIDE.get((source_prefix, event_name), ())
