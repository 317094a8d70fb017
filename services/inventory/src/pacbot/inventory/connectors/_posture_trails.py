"""Account posture facts that join CloudTrail with S3, CloudWatch Logs, CloudWatch and SNS.

CIS 3.4, 3.8/3.9 and 4.1-4.15 are about the account, not one resource: whether *some* active
multi-region trail logs S3 object events, and whether its log group has a metric filter for each
CIS pattern with an alarm that notifies a subscribed SNS topic. These helpers gather those facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import error_code, paginate
from pacbot.inventory.connectors._cis_monitoring import CIS_LOG_CONTROLS
from pacbot.inventory.connectors._filter_pattern import normalise
from pacbot.inventory.connectors.registry import Scope

S3_OBJECT = "AWS::S3::Object"
ALL_BUCKETS = ("arn:aws:s3", "arn:aws:s3:::")


def _advanced_s3(selectors: Iterable[dict[str, Any]]) -> dict[str, bool]:
    """Read/Write coverage of every bucket's object events by advanced event selectors."""
    covered = {"Read": False, "Write": False}
    for selector in selectors:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors", [])}
        if fields.get("eventCategory", {}).get("Equals") != ["Data"]:
            continue
        if fields.get("resources.type", {}).get("Equals") != [S3_OBJECT]:
            continue
        arn = fields.get("resources.ARN")
        every_bucket = arn is None or arn.get("StartsWith") in [[a] for a in ALL_BUCKETS]
        if "eventName" in fields or not every_bucket:
            continue  # only some buckets or some calls
        read_only = fields.get("readOnly", {}).get("Equals")
        covered["Read"] |= read_only in (None, ["true"])
        covered["Write"] |= read_only in (None, ["false"])
    return covered


def s3_data_events(
    basic: Iterable[dict[str, Any]], advanced: Iterable[dict[str, Any]]
) -> dict[str, bool]:
    """Whether a trail's selectors log object-level reads / writes for all S3 buckets."""
    covered = _advanced_s3(advanced)
    for selector in basic:
        every_bucket = any(
            r.get("Type") == S3_OBJECT and any(v in ALL_BUCKETS for v in r.get("Values", []))
            for r in selector.get("DataResources", [])
        )
        kind = selector.get("ReadWriteType", "All")
        covered["Read"] |= every_bucket and kind in ("All", "ReadOnly")
        covered["Write"] |= every_bucket and kind in ("All", "WriteOnly")
    return covered


def all_management_events(
    basic: Iterable[dict[str, Any]], advanced: Iterable[dict[str, Any]]
) -> bool:
    """A basic selector with all management events, or an advanced one on that category."""
    if any(s.get("IncludeManagementEvents") and s.get("ReadWriteType") == "All" for s in basic):
        return True
    for selector in advanced:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors", [])}
        if (
            fields.get("eventCategory", {}).get("Equals") == ["Management"]
            and "readOnly" not in fields
        ):
            return True
    return False


def trails(scope: Scope, regions: list[str]) -> list[dict[str, Any]]:
    """Every trail of the account once (in its home region), with status and selector facts."""
    found: list[dict[str, Any]] = []
    for region in regions:
        ct = scope.client("cloudtrail", region)
        for trail in ct.describe_trails(includeShadowTrails=False).get("trailList", []):
            if trail.get("HomeRegion", region) != region:
                continue
            status = ct.get_trail_status(Name=trail["TrailARN"])
            selectors = ct.get_event_selectors(TrailName=trail["TrailARN"])
            basic = selectors.get("EventSelectors") or []
            advanced = selectors.get("AdvancedEventSelectors") or []
            found.append(
                {
                    "Name": trail["Name"],
                    "TrailARN": trail["TrailARN"],
                    "HomeRegion": region,
                    "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail")),
                    "IsLogging": bool(status.get("IsLogging")),
                    "AllManagementEvents": all_management_events(basic, advanced),
                    "S3BucketName": trail.get("S3BucketName"),
                    "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
                    "S3DataEvents": s3_data_events(basic, advanced),
                }
            )
    return sorted(found, key=lambda t: t["TrailARN"])


def active_multi_region(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The trails CIS builds on: multi-region, logging, and recording all management events."""
    return [
        t for t in found if t["IsMultiRegionTrail"] and t["IsLogging"] and t["AllManagementEvents"]
    ]


def bucket_logging(scope: Scope, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Server access logging of each trail bucket; null when the bucket is not readable here."""
    s3 = scope.client("s3")
    buckets: list[dict[str, Any]] = []
    for name in sorted({t["S3BucketName"] for t in found if t["S3BucketName"]}):
        try:
            logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
        except ClientError as exc:
            if error_code(exc) not in ("NoSuchBucket", "AccessDenied"):
                raise
            # A bucket in another account (an organisation's log archive) is judged there.
            buckets.append({"Bucket": name, "LoggingEnabled": None, "Reason": error_code(exc)})
            continue
        target = (logging or {}).get("TargetBucket")
        buckets.append({"Bucket": name, "LoggingEnabled": bool(logging), "TargetBucket": target})
    return buckets


def _log_group(arn: str) -> tuple[str, str]:
    """(region, name) of ``arn:aws:logs:<region>:<account>:log-group:<name>:*``."""
    parts = arn.split(":")
    return parts[3], parts[6]


def _alarm_metrics(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    """(namespace, metric name) pairs an alarm watches, directly or through metric math."""
    pairs = {(alarm.get("Namespace", ""), alarm.get("MetricName", ""))}
    for query in alarm.get("Metrics", []):
        metric = query.get("MetricStat", {}).get("Metric", {})
        pairs.add((metric.get("Namespace", ""), metric.get("MetricName", "")))
    return pairs


class _Notifications:
    """Alarms per region and confirmed subscriptions per topic, each fetched once."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._alarms: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = {}
        self._subscribed: dict[str, int] = {}

    def alarms(self, region: str, metric: tuple[str, str]) -> list[dict[str, Any]]:
        if region not in self._alarms:
            index: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            cw = self.scope.client("cloudwatch", region)
            for alarm in paginate(cw, "describe_alarms", "MetricAlarms"):
                for pair in _alarm_metrics(alarm):
                    index[pair].append(alarm)
            self._alarms[region] = index
        return self._alarms[region].get(metric, [])

    def confirmed(self, topic_arn: str) -> int:
        if topic_arn not in self._subscribed:
            sns = self.scope.client("sns", topic_arn.split(":")[3])
            try:
                subs = paginate(
                    sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic_arn
                )
            except ClientError as exc:
                if error_code(exc) != "NotFound":
                    raise
                subs = []  # the alarm notifies a topic that no longer exists
            self._subscribed[topic_arn] = sum(
                str(s.get("SubscriptionArn", "")).startswith("arn:") for s in subs
            )
        return self._subscribed[topic_arn]

    def describe(self, alarm: dict[str, Any]) -> dict[str, Any]:
        actions = alarm.get("AlarmActions", [])
        topics = sorted(a for a in actions if a.count(":") >= 5 and a.split(":")[2] == "sns")
        return {
            "AlarmName": alarm["AlarmName"],
            "ActionsEnabled": bool(alarm.get("ActionsEnabled", True)),
            "Topics": [
                {"TopicArn": t, "ConfirmedSubscriptions": self.confirmed(t)} for t in topics
            ],
        }


def _notifies(alarm: dict[str, Any]) -> bool:
    return alarm["ActionsEnabled"] and any(t["ConfirmedSubscriptions"] for t in alarm["Topics"])


def cis_metric_filters(scope: Scope, active: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each CIS 4.x control: the matching filters on active trails' log groups, and alarms."""
    groups = sorted(
        {
            _log_group(t["CloudWatchLogsLogGroupArn"])
            for t in active
            if t["CloudWatchLogsLogGroupArn"]
        }
    )
    filters = [
        (region, f)
        for region, name in groups
        for f in paginate(
            scope.client("logs", region),
            "describe_metric_filters",
            "metricFilters",
            logGroupName=name,
        )
        if f.get("logGroupName") == name
    ]
    notifications = _Notifications(scope)
    facts: dict[str, dict[str, Any]] = {}
    for control in CIS_LOG_CONTROLS:
        matched = []
        for region, f in filters:
            if not control.satisfied_by(f.get("filterPattern", "")):
                continue
            metrics = sorted(
                {
                    (m["metricNamespace"], m["metricName"])
                    for m in f.get("metricTransformations", [])
                }
            )
            alarms = {a["AlarmName"]: a for m in metrics for a in notifications.alarms(region, m)}
            matched.append(
                {
                    "LogGroup": f["logGroupName"],
                    "Region": region,
                    "FilterName": f["filterName"],
                    "FilterPattern": normalise(f.get("filterPattern", "")),
                    "Metrics": [f"{ns}/{name}" for ns, name in metrics],
                    "Alarms": [notifications.describe(alarms[n]) for n in sorted(alarms)],
                }
            )
        facts[control.control] = {
            "Title": control.title,
            "MetricFilters": matched,
            "Alarmed": any(m["Alarms"] for m in matched),
            "Monitored": any(_notifies(a) for m in matched for a in m["Alarms"]),
        }
    return facts
