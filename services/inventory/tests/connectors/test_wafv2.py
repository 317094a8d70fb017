"""WAFv2 web ACLs through the connector: a logged ACL with managed rules vs an empty one."""

from __future__ import annotations

from typing import Any


def _visibility(name: str, metrics: bool = True) -> dict[str, Any]:
    return {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": metrics,
        "MetricName": name,
    }


def _managed(name: str, priority: int, override: str = "None") -> dict[str, Any]:
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
        "OverrideAction": {override: {}},
        "VisibilityConfig": _visibility(name),
    }


def test_logged_web_acl_with_rules_and_empty_web_acl(aws: Any, discover: Any) -> None:
    waf = aws("wafv2")
    good = waf.create_web_acl(
        Name="api-protection",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Rules=[
            _managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
            _managed("AWSManagedRulesCommonRuleSet", 1),
        ],
        VisibilityConfig=_visibility("api-protection"),
        Tags=[{"Key": "Owner", "Value": "edge-team"}],
    )["Summary"]
    group = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-api"
    waf.put_logging_configuration(
        LoggingConfiguration={"ResourceArn": good["ARN"], "LogDestinationConfigs": [group]}
    )
    bad = waf.create_web_acl(
        Name="placeholder",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Rules=[],
        VisibilityConfig=_visibility("placeholder", metrics=False),
    )["Summary"]

    found = discover("aws.wafv2.web_acl")

    protected = found[good["ARN"]]
    assert protected.name == "api-protection"
    assert protected.owner == "edge-team"
    assert protected.config["Scope"] == "REGIONAL"
    assert [r["Priority"] for r in protected.config["Rules"]] == [1, 2]
    assert protected.config["LoggingConfiguration"]["LogDestinationConfigs"] == [group]
    assert "LockToken" not in protected.config
    empty = found[bad["ARN"]].config
    assert empty["Rules"] == []
    assert empty["LoggingConfiguration"] is None
    assert empty["VisibilityConfig"]["CloudWatchMetricsEnabled"] is False
    assert empty["DefaultAction"] == {"Allow": {}}


def test_cloudfront_web_acls_are_swept_with_us_east_1_only(aws: Any, discover: Any) -> None:
    acl = aws("wafv2").create_web_acl(
        Name="site",
        Scope="CLOUDFRONT",
        DefaultAction={"Block": {}},
        Rules=[_managed("AWSManagedRulesCommonRuleSet", 0)],
        VisibilityConfig=_visibility("site"),
    )["Summary"]
    assert discover("aws.wafv2.web_acl")[acl["ARN"]].config["Scope"] == "CLOUDFRONT"
    assert acl["ARN"] not in discover("aws.wafv2.web_acl", "eu-west-1")
