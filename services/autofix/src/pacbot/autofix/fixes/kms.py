"""Fix ``kms-enable-rotation``: turn on automatic rotation of a customer-managed KMS key.

Only keys that can rotate automatically are judged, as the policy does: customer-managed
symmetric keys with KMS-generated material that are not pending deletion. Every other key reads
as compliant and gets no call, on purpose:

- AWS-managed keys (``KeyManager: AWS``) are rotated by AWS every year and their rotation cannot
  be changed (EnableKeyRotation refuses them); the inventory never reports them, so a violation
  naming one is stale, and there is nothing this fix could do;
- asymmetric, HMAC, imported-material and custom key store keys cannot rotate automatically;
- a key pending deletion is about to disappear.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.autofix.fixes._base import AccountAws, ApiCall, Fix, FixTarget, ResourceGone, error_code
from pacbot.autofix.fixes._registry import FIXES

_META = ("KeyManager", "KeySpec", "Origin", "KeyState")
_PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")


def rotatable(meta: dict[str, Any]) -> bool:
    """True for a key whose rotation can (and should) be turned on."""
    return (
        meta.get("KeyManager") == "CUSTOMER"
        and meta.get("KeySpec") == "SYMMETRIC_DEFAULT"
        and meta.get("Origin") == "AWS_KMS"
        and meta.get("KeyState") not in _PENDING_DELETION
    )


@FIXES.register
class KmsEnableRotation(Fix):
    """Enables automatic rotation; rollback disables it again if it was off."""

    name = "kms-enable-rotation"
    resource_type = "aws.kms.key"
    policies = ("aws-kms-key-rotation-enabled",)
    read_permissions = ("kms:DescribeKey", "kms:GetKeyRotationStatus")
    write_permissions = ("kms:EnableKeyRotation", "kms:DisableKeyRotation")
    reversible = True
    backs_up = "the key's manager, spec, origin and state, and its rotation status and period"
    verifies = "reads the rotation status back and requires it enabled"
    description = "Enable automatic rotation of the KMS key"

    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """Key metadata, plus rotation status and period for a key that can rotate."""
        kms = aws.client("kms")
        try:
            meta = kms.describe_key(KeyId=target.name)["KeyMetadata"]
            current: dict[str, Any] = {field: meta.get(field) for field in _META}
            rotation = kms.get_key_rotation_status(KeyId=target.name) if rotatable(current) else {}
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                raise ResourceGone(f"KMS key {target.name} no longer exists") from exc
            raise
        current["KeyRotationEnabled"] = rotation.get("KeyRotationEnabled")
        current["RotationPeriodInDays"] = rotation.get("RotationPeriodInDays")
        return current

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """Rotation is on, or the key is one that cannot (or need not) rotate."""
        return not rotatable(current) or current.get("KeyRotationEnabled") is True

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One EnableKeyRotation (default period), unless compliant."""
        if self.is_compliant(current, target):
            return []
        return [ApiCall("kms", "enable_key_rotation", {"KeyId": target.name})]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Disable rotation if it was off; re-enable it (with its old period) if it was on."""
        old = backup.get("KeyRotationEnabled")
        if old is None or old == current.get("KeyRotationEnabled"):
            return []
        if not old:
            return [ApiCall("kms", "disable_key_rotation", {"KeyId": target.name})]
        params: dict[str, Any] = {"KeyId": target.name}
        if backup.get("RotationPeriodInDays"):
            params["RotationPeriodInDays"] = backup["RotationPeriodInDays"]
        return [ApiCall("kms", "enable_key_rotation", params)]
