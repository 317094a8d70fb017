"""IAM fixes against moto: the password policy baseline and stale access keys."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone
from pacbot.autofix.fixes.iam import unused_days

from .conftest import ACCOUNT, drill, target

Client = Callable[[str], Any]
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:account-password-policy"


def _fix(name: str) -> Fix:
    fix = FIXES.get(name)
    assert fix is not None
    return fix


def _policy_target(**params: Any) -> Any:
    return target("aws.iam.password_policy", ACCOUNT, POLICY_ARN, **params)


def _set_policy(client: Client, **settings: Any) -> None:
    """Start from exactly ``settings`` (no policy at all when none are given)."""
    iam = client("iam")
    with contextlib.suppress(iam.exceptions.NoSuchEntityException):
        iam.delete_account_password_policy()
    if settings:
        iam.update_account_password_policy(**settings)


def _live_policy(client: Client) -> dict[str, Any]:
    policy: dict[str, Any] = client("iam").get_account_password_policy()["PasswordPolicy"]
    return policy


# --- Password policy ----------------------------------------------------------------------


def test_no_policy_gets_the_baseline_and_rollback_deletes_it(
    aws: AccountAws, client: Client
) -> None:
    _set_policy(client)
    fix = _fix("iam-password-policy-baseline")
    where = _policy_target()
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "iam",
            "update_account_password_policy",
            {
                "RequireSymbols": True,
                "RequireNumbers": True,
                "RequireUppercaseCharacters": True,
                "RequireLowercaseCharacters": True,
                "MinimumPasswordLength": 14,
                "MaxPasswordAge": 90,
                "PasswordReusePrevention": 24,
            },
        )
    ]
    assert drill(fix, aws, where) == {"PasswordPolicy": None}


def test_a_weak_policy_is_raised_and_unmanaged_settings_are_kept(
    aws: AccountAws, client: Client
) -> None:
    _set_policy(
        client,
        MinimumPasswordLength=8,
        RequireNumbers=True,
        AllowUsersToChangePassword=True,
        HardExpiry=True,
        MaxPasswordAge=365,
        PasswordReusePrevention=5,
    )
    fix = _fix("iam-password-policy-baseline")
    where = _policy_target()
    backup = drill(fix, aws, where)
    assert backup["PasswordPolicy"]["MinimumPasswordLength"] == 8
    fix.apply(aws, where, fix.read(aws, where))
    live = _live_policy(client)
    assert live["MinimumPasswordLength"] == 14
    assert live["MaxPasswordAge"] == 90
    assert live["PasswordReusePrevention"] == 24
    assert live["AllowUsersToChangePassword"] is True
    assert live["HardExpiry"] is True
    assert all(live[f] for f in ("RequireSymbols", "RequireUppercaseCharacters"))


def test_a_stricter_setting_is_never_weakened(aws: AccountAws, client: Client) -> None:
    _set_policy(
        client,
        MinimumPasswordLength=20,
        MaxPasswordAge=30,
        PasswordReusePrevention=24,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
    )
    fix = _fix("iam-password-policy-baseline")
    where = _policy_target(min_length=14, max_age_days=90, remembered=10)
    drill(fix, aws, where)  # only RequireSymbols is missing
    fix.apply(aws, where, fix.read(aws, where))
    live = _live_policy(client)
    assert live["RequireSymbols"] is True
    assert (live["MinimumPasswordLength"], live["MaxPasswordAge"]) == (20, 30)
    assert live["PasswordReusePrevention"] == 24


def test_a_policy_stricter_than_the_baseline_needs_nothing(aws: AccountAws, client: Client) -> None:
    _set_policy(
        client,
        MinimumPasswordLength=32,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=60,
        PasswordReusePrevention=24,
    )
    fix = _fix("iam-password-policy-baseline")
    where = _policy_target()
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_params_raise_the_baseline_and_null_leaves_a_setting_alone(
    aws: AccountAws, client: Client
) -> None:
    _set_policy(
        client,
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        PasswordReusePrevention=24,
    )
    fix = _fix("iam-password-policy-baseline")
    where = _policy_target(min_length=16, max_age_days=None)
    [call] = fix.calls(fix.read(aws, where), where)
    assert call.params["MinimumPasswordLength"] == 16
    assert "MaxPasswordAge" not in call.params  # passwords still never expire
    assert fix.is_compliant(fix.read(aws, where), _policy_target(max_age_days=None))


# --- Stale access keys --------------------------------------------------------------------


def _user(client: Client, name: str) -> Any:
    arn = client("iam").create_user(UserName=name)["User"]["Arn"]
    return arn


def _keys(client: Client, user: str) -> dict[str, str]:
    listed = client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]
    return {k["AccessKeyId"]: k["Status"] for k in listed}


def test_stale_keys_are_deactivated_and_exactly_those_reactivated(
    aws: AccountAws, client: Client
) -> None:
    iam = client("iam")
    arn = _user(client, "bob")
    first = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="bob", AccessKeyId=second, Status="Inactive")
    fix = _fix("iam-deactivate-stale-access-keys")
    # moto creates keys "now" and never records a use, so any age over 0 days is stale
    where = target("aws.iam.user", "bob", arn, max_unused_days=0)
    assert fix.calls(fix.read(aws, where), where) == [
        ApiCall(
            "iam",
            "update_access_key",
            {"UserName": "bob", "AccessKeyId": first, "Status": "Inactive"},
        )
    ]
    backup = drill(fix, aws, where)
    assert [k["LastUsedDate"] for k in backup["AccessKeys"]] == [None, None]
    assert _keys(client, "bob") == {first: "Active", second: "Inactive"}


def test_rollback_leaves_keys_deactivated_by_someone_else(aws: AccountAws, client: Client) -> None:
    iam = client("iam")
    arn = _user(client, "carol")
    stale = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    fix = _fix("iam-deactivate-stale-access-keys")
    where = target("aws.iam.user", "carol", arn, max_unused_days=0)
    backup = fix.read(aws, where)
    fix.apply(aws, where, backup)
    fresh = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="carol", AccessKeyId=fresh, Status="Inactive")
    fix.rollback(aws, where, backup)
    assert _keys(client, "carol") == {stale: "Active", fresh: "Inactive"}


def test_recent_keys_are_kept_by_the_default_limit(aws: AccountAws, client: Client) -> None:
    arn = _user(client, "dave")
    client("iam").create_access_key(UserName="dave")
    fix = _fix("iam-deactivate-stale-access-keys")
    where = target("aws.iam.user", "dave", arn)
    current = fix.read(aws, where)
    assert fix.is_compliant(current, where)
    assert fix.calls(current, where) == []


def test_a_deleted_user_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix("iam-deactivate-stale-access-keys").read(aws, target("aws.iam.user", "ghost"))


def test_age_counts_from_last_use_then_from_creation() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    created = (now - timedelta(days=100)).isoformat()
    used = (now - timedelta(days=10)).isoformat()
    assert unused_days({"CreateDate": created, "LastUsedDate": used}, now) == 10
    assert unused_days({"CreateDate": created, "LastUsedDate": None}, now) == 100
