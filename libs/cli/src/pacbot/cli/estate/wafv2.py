"""WAFv2: a logged web ACL enforcing managed rules, one in count-only trial, one empty."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

WEB_ACL = "aws.wafv2.web_acl"


def _visibility(name: str, metrics: bool = True) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": metrics, "MetricName": name}


def _managed(name: str, priority: int, override: str = "None") -> dict[str, Any]:
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
        "OverrideAction": {override: {}},
        "VisibilityConfig": _visibility(name),
    }


def seed(account: Account) -> list[Seeded]:
    """Every web ACL with what it must fail."""
    waf = account.client("wafv2")

    def web_acl(name: str, rules: list[dict[str, Any]], *, logged: bool, metrics: bool) -> str:
        full = account.name_of(name)
        arn = str(
            waf.create_web_acl(
                Name=full,
                Scope="REGIONAL",
                DefaultAction={"Allow": {}},
                Rules=rules,
                VisibilityConfig=_visibility(full, metrics),
                Tags=[{"Key": "Owner", "Value": "edge-team"}],
            )["Summary"]["ARN"]
        )
        if logged:
            group = account.arn("logs", f"log-group:aws-waf-logs-{full}")
            waf.put_logging_configuration(
                LoggingConfiguration={"ResourceArn": arn, "LogDestinationConfigs": [group]}
            )
        return arn

    common = "AWSManagedRulesCommonRuleSet"
    protected = web_acl(
        "api-protection",
        [_managed(common, 0), _managed("AWSManagedRulesKnownBadInputsRuleSet", 1)],
        logged=True,
        metrics=True,
    )
    trial = web_acl(
        "sql-trial", [_managed("AWSManagedRulesSQLiRuleSet", 0, "Count")], logged=True, metrics=True
    )
    empty = web_acl("placeholder", [], logged=False, metrics=False)
    return [
        seeded(WEB_ACL, protected),
        seeded(WEB_ACL, trial, {"aws-wafv2-web-acl-rule-groups-enforced"}),
        seeded(
            WEB_ACL,
            empty,
            {
                "aws-wafv2-web-acl-logging",
                "aws-wafv2-web-acl-has-rules",
                "aws-wafv2-web-acl-metrics",
            },
        ),
    ]
