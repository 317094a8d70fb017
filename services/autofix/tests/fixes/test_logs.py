"""``logs-retention`` against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone
from pacbot.autofix.fixes.logs import retention_for

from .conftest import ACCOUNT, REGION, drill, target

Client = Callable[[str], Any]


def _fix() -> Fix:
    fix = FIXES.get("logs-retention")
    assert fix is not None
    return fix


def _group(client: Client, name: str, retention: int | None = None, **params: Any) -> Any:
    logs = client("logs")
    logs.create_log_group(logGroupName=name)
    if retention is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"
    return target("aws.logs.log_group", name, arn, **params)


def test_a_group_kept_forever_gets_a_retention_and_loses_it_on_rollback(
    aws: AccountAws, client: Client
) -> None:
    where = _group(client, "/aws/lambda/orders")
    assert _fix().calls(_fix().read(aws, where), where) == [
        ApiCall(
            "logs",
            "put_retention_policy",
            {"logGroupName": "/aws/lambda/orders", "retentionInDays": 365},
        )
    ]
    assert drill(_fix(), aws, where) == {"retentionInDays": None}


def test_a_short_retention_is_raised_and_restored(aws: AccountAws, client: Client) -> None:
    where = _group(client, "/app/debug", 7, days=365)
    assert drill(_fix(), aws, where) == {"retentionInDays": 7}


def test_a_longer_retention_is_never_lowered(aws: AccountAws, client: Client) -> None:
    where = _group(client, "/app/audit", 731, days=365)
    current = _fix().read(aws, where)
    assert _fix().is_compliant(current, where)
    assert _fix().calls(current, where) == []


def test_days_round_up_to_a_retention_logs_accepts(aws: AccountAws, client: Client) -> None:
    where = _group(client, "/app/odd", 90, days=100)
    [call] = _fix().calls(_fix().read(aws, where), where)
    assert call.params["retentionInDays"] == 120
    assert retention_for(365) == 365
    with pytest.raises(ValueError, match="3653"):
        retention_for(4000)


def test_a_prefix_sibling_is_not_mistaken_for_the_group(aws: AccountAws, client: Client) -> None:
    _group(client, "/app/sibling-longer", 30)
    with pytest.raises(ResourceGone):
        _fix().read(aws, target("aws.logs.log_group", "/app/sibling"))
