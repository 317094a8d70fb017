"""CloudTrail fixes against moto: log file validation, multi-region logging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone

from .conftest import drill, target

Client = Callable[[str], Any]
BUCKET = "audit-logs"


def _fix(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def _trail(client: Client, name: str, **settings: Any) -> Any:
    """A trail (stopped, single-region unless told) logging to the shared bucket."""
    client("s3").create_bucket(Bucket=BUCKET)
    arn = client("cloudtrail").create_trail(Name=name, S3BucketName=BUCKET, **settings)["TrailARN"]
    return target("aws.cloudtrail.trail", name, arn)


def test_log_file_validation_is_enabled_and_rolled_back(aws: AccountAws, client: Client) -> None:
    where = _trail(client, "dev-trail")
    fix = _fix("cloudtrail-log-file-validation")
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "cloudtrail",
            "update_trail",
            {"Name": where.asset_id, "EnableLogFileValidation": True},
        )
    ]
    assert drill(fix, aws, where) == {"LogFileValidationEnabled": False}


def test_a_stopped_single_region_trail_goes_multi_region_and_logs(
    aws: AccountAws, client: Client
) -> None:
    where = _trail(client, "regional", IncludeGlobalServiceEvents=False)
    fix = _fix("cloudtrail-multi-region-logging")
    name = {"Name": where.asset_id}
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "cloudtrail",
            "update_trail",
            {**name, "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True},
        ),
        ApiCall("cloudtrail", "start_logging", name),
    ]
    backup = drill(fix, aws, where)
    assert backup == {
        "IsMultiRegionTrail": False,
        "IncludeGlobalServiceEvents": False,
        "IsLogging": False,
    }


def test_a_stopped_multi_region_trail_is_only_started(aws: AccountAws, client: Client) -> None:
    where = _trail(client, "stopped", IsMultiRegionTrail=True)
    fix = _fix("cloudtrail-multi-region-logging")
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall("cloudtrail", "start_logging", {"Name": where.asset_id})
    ]
    drill(fix, aws, where)


def test_a_logging_single_region_trail_keeps_logging_through_rollback(
    aws: AccountAws, client: Client
) -> None:
    where = _trail(client, "logging-regional")
    client("cloudtrail").start_logging(Name="logging-regional")
    fix = _fix("cloudtrail-multi-region-logging")
    backup = drill(fix, aws, where)
    assert backup["IsLogging"] is True


def test_a_deleted_trail_is_gone(aws: AccountAws) -> None:
    where = target("aws.cloudtrail.trail", "gone", "arn:aws:cloudtrail:us-east-1:123:trail/gone")
    with pytest.raises(ResourceGone):
        _fix("cloudtrail-multi-region-logging").read(aws, where)
