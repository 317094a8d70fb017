"""The posture connector's pure parts: filter-pattern equivalence, selectors, Access Analyzer."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import Scope, account_posture
from pacbot.inventory.connectors._cis_monitoring import CIS_LOG_CONTROLS
from pacbot.inventory.connectors._filter_pattern import FilterPatternError, compile_pattern
from pacbot.inventory.connectors._posture_trails import all_management_events, s3_data_events

CONTROLS = {c.control: c for c in CIS_LOG_CONTROLS}

EQUIVALENT = [
    # The benchmark's own (v3.0) text: an OR of everything, as printed in its audit step.
    (
        "4.1",
        "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || "
        "($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }",
    ),
    ("4.1", '{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}'),
    (
        "4.2",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    (
        "4.3",
        '{$.eventType!="AwsServiceEvent"&&$.userIdentity.invokedBy NOT EXISTS&&'
        '$.userIdentity.type="Root"}',
    ),
    (
        "4.5",
        "{\n  ($.eventName = StopLogging) ||\n  ($.eventName = DeleteTrail) ||"
        " ($.eventName = UpdateTrail) || ($.eventName = CreateTrail) ||"
        " ($.eventName = StartLogging)\n}",
    ),
    ("4.6", '{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }'),
    (
        "4.7",
        "{($.eventSource = kms.amazonaws.com) && "
        "(($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    ),
    (
        "4.13",
        "{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || "
        "($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
        "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
        "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
    ),
    ("4.13", "{ $.eventName = %^(Create|Replace|Delete|Disassociate)Route% }"),
]

NOT_EQUIVALENT = [
    ("4.1", "{ $.eventName = * }"),  # everything, including the delivery service's HeadBucket
    ("4.1", '{ $.errorCode = "AccessDenied*" }'),  # misses *UnauthorizedOperation
    ("4.2", '{ $.eventName = "ConsoleLogin" }'),  # also counts MFA sign-ins
    ("4.3", '{ $.userIdentity.type = "Root" }'),  # counts AWS acting for root
    ("4.5", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }"),
    ("4.7", "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }"),
    ("4.10", "{ $.eventSource = ec2.amazonaws.com }"),
    ("4.15", '{ $.eventSource = "organizations.amazonaws.com" }'),
    ("4.4", "ConsoleLogin"),  # not a JSON pattern at all
    ("4.4", "{ ($.eventName = CreatePolicy) "),  # unbalanced
]


@pytest.mark.parametrize("control", CONTROLS, ids=str)
def test_the_benchmark_pattern_satisfies_its_own_control(control: str) -> None:
    rule = CONTROLS[control]
    assert rule.satisfied_by(rule.pattern)
    assert all(compile_pattern(rule.pattern)(e) for e in rule.catches)


@pytest.mark.parametrize(("control", "pattern"), EQUIVALENT)
def test_equivalent_spellings_are_accepted(control: str, pattern: str) -> None:
    assert CONTROLS[control].satisfied_by(pattern)


@pytest.mark.parametrize(("control", "pattern"), NOT_EQUIVALENT)
def test_narrower_broader_or_broken_patterns_are_rejected(control: str, pattern: str) -> None:
    assert not CONTROLS[control].satisfied_by(pattern)


def test_filter_pattern_semantics() -> None:
    event: dict[str, Any] = {
        "eventName": "ConsoleLogin",
        "responseElements": {"ConsoleLogin": "Failure"},
        "resources": [{"ARN": "arn:aws:kms:us-east-1:1:key/k"}],
        "requestParameters": {"maxItems": 50, "dryRun": True, "marker": None},
    }
    assert compile_pattern("{ $.resources[0].ARN = arn:aws:kms:* }")(event)
    assert compile_pattern("{ $.requestParameters.maxItems >= 50 }")(event)
    assert not compile_pattern("{ $.requestParameters.maxItems > 50 }")(event)
    assert compile_pattern("{ $.requestParameters.dryRun IS TRUE }")(event)
    assert compile_pattern("{ $.requestParameters.marker IS NULL }")(event)
    assert compile_pattern("{ $.errorCode NOT EXISTS && $.eventName EXISTS }")(event)
    assert not compile_pattern('{ $.errorCode != "x" }')(event)  # a missing field never matches
    assert compile_pattern('{ $.responseElements.ConsoleLogin = "Fail*" }')(event)
    with pytest.raises(FilterPatternError):
        compile_pattern("{ $.eventName = }")


@pytest.mark.timeout(60, method="thread")  # a backtracking engine would never finish
def test_filter_regexes_and_wildcards_run_in_linear_time() -> None:
    """Filters come from the scanned accounts: a hostile one must not stall the sweep."""
    hostile = {"eventName": "a" * 50_000 + "!"}
    assert not compile_pattern("{ $.eventName = %(a+)+$% }")(hostile)
    assert not compile_pattern("{ $.eventName = " + "*a" * 30 + "*b }")(hostile)
    assert compile_pattern("{ $.eventName = %^a+!$% }")(hostile)
    assert compile_pattern("{ $.eventName = " + "*a" * 30 + "*! }")(hostile)


@pytest.mark.parametrize("regex", [r"(a)\1", "(?=a)", "(unclosed"])
def test_a_filter_regex_re2_cannot_compile_makes_the_pattern_unreadable(regex: str) -> None:
    with pytest.raises(FilterPatternError, match="RE2"):
        compile_pattern(f"{{ $.eventName = %{regex}% }}")


def test_advanced_and_basic_selectors() -> None:
    data = [{"Field": "eventCategory", "Equals": ["Data"]}]
    s3 = [{"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]
    writes = [{"Field": "readOnly", "Equals": ["false"]}]
    one_bucket = [{"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::logs/"]}]
    assert s3_data_events([], [{"FieldSelectors": data + s3}]) == {"Read": True, "Write": True}
    assert s3_data_events([], [{"FieldSelectors": data + s3 + writes}]) == {
        "Read": False,
        "Write": True,
    }
    assert s3_data_events([], [{"FieldSelectors": data + s3 + one_bucket}]) == {
        "Read": False,
        "Write": False,
    }
    reads = {
        "ReadWriteType": "ReadOnly",
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}],
    }
    assert s3_data_events([reads], []) == {"Read": True, "Write": False}
    management = [{"Field": "eventCategory", "Equals": ["Management"]}]
    assert all_management_events([], [{"FieldSelectors": management}])
    assert not all_management_events([], [{"FieldSelectors": management + writes}])
    assert not all_management_events(
        [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}], []
    )


def test_access_analyzer_per_region(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto has no Access Analyzer, so AWS's answers come from botocore's Stubber here."""
    monkeypatch.setattr(account_posture, "_not_offered", lambda *args: None)
    factory = AwsSessionFactory(endpoint_url=moto_url)
    scope = Scope(factory, AccountAccess("123456789012"), "global", "us-east-1")
    answers = {
        "eu-west-1": [{"name": "old", "status": "DISABLED"}],
        "us-east-1": [{"name": "account", "status": "ACTIVE"}, {"name": "org", "status": "ACTIVE"}],
    }
    stubs = []
    for region, analyzers in answers.items():
        stub = Stubber(scope.client("accessanalyzer", region))
        stub.add_response("list_analyzers", {"analyzers": [_analyzer(a) for a in analyzers]})
        stub.activate()
        stubs.append(stub)

    facts = account_posture.access_analyzer(scope, sorted(answers))

    assert facts == {
        "Regions": {"eu-west-1": [], "us-east-1": ["account", "org"]},
        "MissingRegions": ["eu-west-1"],
        "Unavailable": None,
    }
    for stub in stubs:
        stub.assert_no_pending_responses()


def _analyzer(item: dict[str, str]) -> dict[str, Any]:
    return {
        **item,
        "arn": f"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/{item['name']}",
        "type": "ACCOUNT",
        "createdAt": "2026-01-01T00:00:00Z",
    }


def test_only_a_bare_http_error_means_the_endpoint_lacks_a_service(moto_url: str) -> None:
    factory = AwsSessionFactory(endpoint_url=moto_url)
    scope = Scope(factory, AccountAccess("123456789012"), "global", "us-east-1")
    reason = account_posture._not_offered(scope, "accessanalyzer", "list_analyzers", "us-east-1")
    assert reason == "the endpoint does not implement accessanalyzer (HTTP 500)"
    # Security Hub is implemented: "not subscribed" is a named AWS error, not a missing service.
    assert account_posture._not_offered(scope, "securityhub", "describe_hub", "us-east-1") is None
