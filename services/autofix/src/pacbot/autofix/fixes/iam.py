"""IAM fixes: the account password policy baseline, and deactivating stale access keys."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES

# --- Password policy ----------------------------------------------------------------------

# The defaults of the seven aws-iam-password-policy-* policies (their params, or "required").
BASELINE: dict[str, Any] = {
    "min_length": 14,
    "require_symbols": True,
    "require_numbers": True,
    "require_uppercase": True,
    "require_lowercase": True,
    "max_age_days": 90,
    "remembered": 24,
}
_REQUIRES = {
    "require_symbols": "RequireSymbols",
    "require_numbers": "RequireNumbers",
    "require_uppercase": "RequireUppercaseCharacters",
    "require_lowercase": "RequireLowercaseCharacters",
}
_FLAGS = (*_REQUIRES.values(), "AllowUsersToChangePassword", "HardExpiry")


def baseline(params: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults overridden by the policy's params; a null or false value is not managed."""
    return {key: params.get(key, default) for key, default in BASELINE.items()}


def expiry_days(policy: Mapping[str, Any]) -> int | None:
    """How many days passwords live under ``policy``; None when they never expire."""
    age = int(policy.get("MaxPasswordAge") or 0)
    return age if age > 0 and policy.get("ExpirePasswords", True) else None


def update_args(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The UpdateAccountPasswordPolicy arguments that set exactly ``policy``.

    The call resets every setting it is not given, so all of them are passed; a password age
    or reuse count of 0 means "off" and is left out (the API's minimum is 1).
    """
    args: dict[str, Any] = {flag: bool(policy[flag]) for flag in _FLAGS if flag in policy}
    if policy.get("MinimumPasswordLength"):
        args["MinimumPasswordLength"] = int(policy["MinimumPasswordLength"])
    if expiry_days(policy):
        args["MaxPasswordAge"] = expiry_days(policy)
    if policy.get("PasswordReusePrevention"):
        args["PasswordReusePrevention"] = int(policy["PasswordReusePrevention"])
    return args


def strengthened(policy: Mapping[str, Any] | None, base: Mapping[str, Any]) -> dict[str, Any]:
    """``policy`` raised to ``base``; a stricter setting, and any setting not managed, is kept."""
    old = dict(policy or {})
    new = {key: value for key, value in old.items() if key != "ExpirePasswords"}
    if base["min_length"]:
        new["MinimumPasswordLength"] = max(
            int(old.get("MinimumPasswordLength") or 0), base["min_length"]
        )
    for param, flag in _REQUIRES.items():
        if base[param]:
            new[flag] = True
    if base["max_age_days"]:
        new["MaxPasswordAge"] = min(expiry_days(old) or base["max_age_days"], base["max_age_days"])
    if base["remembered"]:
        new["PasswordReusePrevention"] = max(
            int(old.get("PasswordReusePrevention") or 0), base["remembered"]
        )
    return new


@FIXES.register
class IamPasswordPolicyBaseline(Fix):
    """Raises the account password policy to a baseline and never weakens a stricter setting.

    Params (defaults from the seven password policies): ``min_length`` 14, ``require_symbols``,
    ``require_numbers``, ``require_uppercase``, ``require_lowercase`` true, ``max_age_days`` 90,
    ``remembered`` 24. A longer length, shorter maximum age or larger reuse count stays; settings
    the baseline does not manage (AllowUsersToChangePassword, HardExpiry, or any param set to
    null/false) keep their current value. No policy at all is created from the baseline.
    """

    name = "iam-password-policy-baseline"
    resource_type = "aws.iam.password_policy"
    policies = (
        "aws-iam-password-policy-min-length",
        "aws-iam-password-policy-require-symbols",
        "aws-iam-password-policy-require-numbers",
        "aws-iam-password-policy-require-uppercase",
        "aws-iam-password-policy-require-lowercase",
        "aws-iam-password-policy-max-age",
        "aws-iam-password-policy-reuse-prevention",
    )
    read_permissions = ("iam:GetAccountPasswordPolicy",)
    write_permissions = ("iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy")
    reversible = True
    backs_up = "the account password policy (null when the account had none)"
    verifies = "reads the password policy back and requires every baseline setting met"
    description = "Raise the IAM account password policy to the baseline (never weakening it)"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The account password policy, null when there is none."""
        try:
            found = aws.client("iam").get_account_password_policy()
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return {"PasswordPolicy": None}
            raise
        return {"PasswordPolicy": dict(found["PasswordPolicy"])}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """A policy exists and raising it to the baseline would change nothing."""
        policy = current.get("PasswordPolicy")
        if policy is None:
            return False
        return update_args(strengthened(policy, baseline(target.params))) == update_args(policy)

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One UpdateAccountPasswordPolicy with every setting, unless compliant."""
        if self.is_compliant(current, target):
            return []
        wanted = strengthened(current.get("PasswordPolicy"), baseline(target.params))
        return [ApiCall("iam", "update_account_password_policy", update_args(wanted))]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put the old policy back, or delete the policy when the account had none."""
        old = backup.get("PasswordPolicy")
        if old == current.get("PasswordPolicy"):
            return []
        if old is None:
            return [ApiCall("iam", "delete_account_password_policy", {})]
        return [ApiCall("iam", "update_account_password_policy", update_args(old))]


# --- Unused access keys -------------------------------------------------------------------

MAX_UNUSED_DAYS = 45  # aws-iam-user-unused-access-keys' max_days


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def unused_days(key: Mapping[str, Any], now: datetime) -> float:
    """Days since the key was last used, or since it was created if it never was (the policy's
    ``credential-age`` rule with ``basis: last_used``)."""
    stamp = key.get("LastUsedDate") or key["CreateDate"]
    return (now - datetime.fromisoformat(stamp)).total_seconds() / 86400


def _stale_active(keys: list[dict[str, Any]]) -> list[str]:
    return [k["AccessKeyId"] for k in keys if k["Status"] == "Active" and k["Stale"]]


def _set_status(user: str, key_id: str, status: str) -> ApiCall:
    params = {"UserName": user, "AccessKeyId": key_id, "Status": status}
    return ApiCall("iam", "update_access_key", params)


@FIXES.register
class IamDeactivateStaleAccessKeys(Fix):
    """Sets to Inactive (never deletes) the user's active keys unused for over
    ``params.max_unused_days`` days (45); rollback re-activates exactly those keys."""

    name = "iam-deactivate-stale-access-keys"
    resource_type = "aws.iam.user"
    policies = ("aws-iam-user-unused-access-keys",)
    read_permissions = ("iam:ListAccessKeys", "iam:GetAccessKeyLastUsed")
    write_permissions = ("iam:UpdateAccessKey",)
    reversible = True
    backs_up = (
        "each access key's id, status, creation and last-use time, and whether it was stale "
        "(unused for more than max_unused_days) when read"
    )
    verifies = "reads the keys back and requires no active key to be stale"
    description = "Deactivate the IAM user's access keys that have gone unused"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The user's access keys, each marked stale or not by ``max_unused_days``."""
        iam = aws.client("iam")
        try:
            pages = iam.get_paginator("list_access_keys").paginate(UserName=target.name)
            listed = [k for page in pages for k in page["AccessKeyMetadata"]]
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                raise ResourceGone(f"IAM user {target.name} no longer exists") from exc
            raise
        limit = float(target.params.get("max_unused_days", MAX_UNUSED_DAYS))
        now = datetime.now(UTC)
        keys = []
        for item in listed:
            used = iam.get_access_key_last_used(AccessKeyId=item["AccessKeyId"])
            last = used.get("AccessKeyLastUsed", {}).get("LastUsedDate")
            key = {
                "AccessKeyId": item["AccessKeyId"],
                "Status": item["Status"],
                "CreateDate": _utc(item["CreateDate"]),
                "LastUsedDate": _utc(last) if last else None,
            }
            key["Stale"] = unused_days(key, now) > limit
            keys.append(key)
        return {"AccessKeys": sorted(keys, key=lambda k: str(k["AccessKeyId"]))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """No active key is stale."""
        return not _stale_active(current.get("AccessKeys", []))

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One UpdateAccessKey to Inactive per stale active key."""
        stale = _stale_active(current.get("AccessKeys", []))
        return [_set_status(target.name, key_id, "Inactive") for key_id in stale]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Re-activate the keys the fix deactivated that are still there and still inactive."""
        status = {k["AccessKeyId"]: k["Status"] for k in current.get("AccessKeys", [])}
        deactivated = _stale_active(backup.get("AccessKeys", []))
        return [
            _set_status(target.name, key_id, "Active")
            for key_id in deactivated
            if status.get(key_id) == "Inactive"
        ]
