"""Elastic Beanstalk environments through the connector, on AWS's recorded answer shapes.

moto 5.2.5 does not implement DescribeConfigurationSettings (its server answers HTTP 500 with
an HTML page), so the environments' answers come from botocore's Stubber here; the empty
listing runs on moto.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import CONNECTORS, Scope
from pacbot.inventory.connectors.elasticbeanstalk import chosen_options

ARN = "arn:aws:elasticbeanstalk:us-east-1:123456789012:environment"
CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _environment(name: str) -> dict[str, Any]:
    return {
        "EnvironmentName": name,
        "EnvironmentId": f"e-{name[:8]}",
        "ApplicationName": "shop",
        "VersionLabel": "v42",
        "SolutionStackName": "64bit Amazon Linux 2023 v4.3.0 running Python 3.12",
        "PlatformArn": "arn:aws:elasticbeanstalk:us-east-1::platform/Python 3.12 running on "
        "64bit Amazon Linux 2023/4.3.0",
        "EndpointURL": f"awseb-{name}.us-east-1.elb.amazonaws.com",
        "CNAME": f"{name}.us-east-1.elasticbeanstalk.com",
        "DateCreated": CREATED,
        "DateUpdated": CREATED,
        "Status": "Ready",
        "AbortableOperationInProgress": False,
        "Health": "Green",
        "HealthStatus": "Ok",
        "Tier": {"Name": "WebServer", "Type": "Standard", "Version": "1.0"},
        "EnvironmentArn": f"{ARN}/shop/{name}",
    }


def _option(namespace: str, name: str, value: str) -> dict[str, str]:
    return {"Namespace": namespace, "OptionName": name, "Value": value}


HARDENED = [
    _option("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
    _option("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"),
    _option("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor"),
    _option("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
    _option("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "90"),
    _option("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"),
    _option("aws:elasticbeanstalk:application:environment", "DB_PASSWORD", "hunter2-prod"),
]
DEFAULTS = [
    _option("aws:elasticbeanstalk:healthreporting:system", "SystemType", "basic"),
    _option("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "false"),
    _option("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "false"),
    _option("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "false"),
]


@pytest.fixture
def scope(moto_url: str) -> Scope:
    return Scope(
        AwsSessionFactory(endpoint_url=moto_url), AccountAccess("123456789012"), "us-east-1", ""
    )


def _settings(name: str, options: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "ConfigurationSettings": [
            {"ApplicationName": "shop", "EnvironmentName": name, "OptionSettings": options}
        ]
    }


def test_hardened_environment_and_environment_at_defaults(scope: Scope) -> None:
    connector = CONNECTORS.get("aws.elasticbeanstalk.environment")()
    stub = Stubber(scope.client("elasticbeanstalk"))
    stub.add_response(
        "describe_environments",
        {"Environments": [_environment("shop-prod"), _environment("shop-dev")]},
        {"IncludeDeleted": False},
    )
    for name, options, tags in (
        ("shop-prod", HARDENED, [{"Key": "Owner", "Value": "shop-team@example.com"}]),
        ("shop-dev", DEFAULTS, []),
    ):
        stub.add_response(
            "describe_configuration_settings",
            _settings(name, options),
            {"ApplicationName": "shop", "EnvironmentName": name},
        )
        stub.add_response(
            "list_tags_for_resource",
            {"ResourceArn": f"{ARN}/shop/{name}", "ResourceTags": tags},
            {"ResourceArn": f"{ARN}/shop/{name}"},
        )
    with stub:
        found = [connector.describe(scope, r) for r in connector.list_resources(scope)]
    stub.assert_no_pending_responses()

    prod, dev = found
    assert prod is not None
    assert dev is not None
    assert prod.asset_id == f"{ARN}/shop/shop-prod"
    assert prod.owner == "shop-team@example.com"
    assert prod.config["HealthReportingSystemType"] == "enhanced"
    assert prod.config["ManagedActionsEnabled"] is True
    assert prod.config["ManagedUpdateLevel"] == "minor"
    assert (prod.config["StreamLogs"], prod.config["LogRetentionInDays"]) == (True, 90)
    assert prod.config["DisableIMDSv1"] is True
    assert prod.config["DateCreated"] == "2026-03-01T09:30:00Z"
    assert "hunter2-prod" not in json.dumps(prod.config)
    assert not {"Status", "Health", "HealthStatus"} & set(prod.config)
    assert dev.config["HealthReportingSystemType"] == "basic"
    assert (dev.config["ManagedActionsEnabled"], dev.config["ManagedUpdateLevel"]) == (False, None)
    assert (dev.config["StreamLogs"], dev.config["DisableIMDSv1"]) == (False, False)


@pytest.mark.parametrize(
    ("code", "message", "gone"),
    [
        ("InvalidParameterValue", "No Environment found for EnvironmentName = 'shop-prod'.", True),
        ("InsufficientPrivilegesException", "not authorized", False),
        ("InvalidParameterValue", "Invalid option specification", False),
    ],
)
def test_a_terminated_environment_is_skipped_and_other_errors_fail_the_sweep(
    scope: Scope, code: str, message: str, gone: bool
) -> None:
    connector = CONNECTORS.get("aws.elasticbeanstalk.environment")()
    stub = Stubber(scope.client("elasticbeanstalk"))
    stub.add_client_error(
        "describe_configuration_settings", service_error_code=code, service_message=message
    )
    with stub:
        if gone:
            assert connector.describe(scope, _environment("shop-prod")) is None
        else:
            with pytest.raises(ClientError, match=code):
                connector.describe(scope, _environment("shop-prod"))


def test_options_the_environment_does_not_set_are_null() -> None:
    assert chosen_options([]) == {
        "HealthReportingSystemType": None,
        "ManagedActionsEnabled": None,
        "ManagedUpdateLevel": None,
        "StreamLogs": None,
        "LogRetentionInDays": None,
        "DisableIMDSv1": None,
    }


def test_no_environment_on_moto_lists_nothing(discover: Any) -> None:
    assert discover("aws.elasticbeanstalk.environment") == {}
