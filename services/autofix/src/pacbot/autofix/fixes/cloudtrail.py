"""CloudTrail fixes: log file validation, and multi-region trails that are logging.

A trail is addressed by its ARN (the asset id) in its home region, where the inventory found it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES


def trail_name(target: FixTarget) -> str:
    """The trail's ARN when the target carries one, else its name."""
    return target.asset_id if target.asset_id.startswith("arn:") else target.name


def _read(aws: AccountAws, target: FixTarget, *, status: bool) -> dict[str, Any]:
    """GetTrail, plus IsLogging from GetTrailStatus when ``status``."""
    cloudtrail = aws.client("cloudtrail")
    name = trail_name(target)
    try:
        trail: dict[str, Any] = cloudtrail.get_trail(Name=name)["Trail"]
        if status:
            trail["IsLogging"] = bool(cloudtrail.get_trail_status(Name=name).get("IsLogging"))
    except ClientError as exc:
        if error_code(exc) == "TrailNotFoundException":
            raise ResourceGone(f"trail {name} no longer exists") from exc
        raise
    return trail


def _update(target: FixTarget, **settings: Any) -> ApiCall:
    return ApiCall("cloudtrail", "update_trail", {"Name": trail_name(target), **settings})


def _logging(target: FixTarget, on: bool) -> ApiCall:
    operation = "start_logging" if on else "stop_logging"
    return ApiCall("cloudtrail", operation, {"Name": trail_name(target)})


@FIXES.register
class CloudTrailLogFileValidation(Fix):
    """Turns on log file validation (signed digest files); rollback turns it back off."""

    name = "cloudtrail-log-file-validation"
    resource_type = "aws.cloudtrail.trail"
    policies = ("aws-cloudtrail-trail-log-file-validation",)
    read_permissions = ("cloudtrail:GetTrail",)
    write_permissions = ("cloudtrail:UpdateTrail",)
    reversible = True
    backs_up = "the trail's LogFileValidationEnabled flag"
    verifies = "reads the trail back and requires LogFileValidationEnabled true"
    description = "Enable log file validation on the CloudTrail trail"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The trail's LogFileValidationEnabled flag."""
        trail = _read(aws, target, status=False)
        return {"LogFileValidationEnabled": bool(trail.get("LogFileValidationEnabled"))}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Log file validation is on."""
        return current.get("LogFileValidationEnabled") is True

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One UpdateTrail enabling validation, unless it is on."""
        if self.is_compliant(current, target):
            return []
        return [_update(target, EnableLogFileValidation=True)]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Set validation back to the backed-up value."""
        old = bool(backup.get("LogFileValidationEnabled"))
        if old == current.get("LogFileValidationEnabled"):
            return []
        return [_update(target, EnableLogFileValidation=old)]


_REGION_SETTINGS = ("IsMultiRegionTrail", "IncludeGlobalServiceEvents")


@FIXES.register
class CloudTrailMultiRegionLogging(Fix):
    """Makes a trail multi-region and starts it logging; rollback restores both.

    A multi-region trail must include global service events, so those are turned on with it
    when they were off. The policy also wants management events recorded: event selectors are
    left to the trail's owner (they decide data-event coverage and cost), so a trail that
    skips management events stays a violation after this fix.
    """

    name = "cloudtrail-multi-region-logging"
    resource_type = "aws.cloudtrail.trail"
    policies = ("aws-cloudtrail-trail-multi-region-logging",)
    read_permissions = ("cloudtrail:GetTrail", "cloudtrail:GetTrailStatus")
    write_permissions = (
        "cloudtrail:UpdateTrail",
        "cloudtrail:StartLogging",
        "cloudtrail:StopLogging",
    )
    reversible = True
    backs_up = "the trail's IsMultiRegionTrail, IncludeGlobalServiceEvents and IsLogging"
    verifies = "reads the trail and its status back and requires multi-region and logging"
    description = "Make the CloudTrail trail multi-region and start its logging"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """Multi-region, global service events and logging flags."""
        trail = _read(aws, target, status=True)
        current = {key: bool(trail.get(key)) for key in _REGION_SETTINGS}
        return {**current, "IsLogging": trail["IsLogging"]}

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The trail is multi-region and logging."""
        return current.get("IsMultiRegionTrail") is True and current.get("IsLogging") is True

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """UpdateTrail to multi-region (with global events) if needed; StartLogging if stopped."""
        planned = []
        if current.get("IsMultiRegionTrail") is not True:
            settings = {key: True for key in _REGION_SETTINGS if current.get(key) is not True}
            planned.append(_update(target, **settings))
        if current.get("IsLogging") is not True:
            planned.append(_logging(target, True))
        return planned

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Put back the region settings that changed, and stop (or start) logging as it was."""
        planned = []
        changed = {
            key: bool(backup.get(key))
            for key in _REGION_SETTINGS
            if bool(backup.get(key)) != current.get(key)
        }
        if changed:
            planned.append(_update(target, **changed))
        if bool(backup.get("IsLogging")) != current.get("IsLogging"):
            planned.append(_logging(target, bool(backup.get("IsLogging"))))
        return planned
