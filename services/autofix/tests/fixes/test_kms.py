"""``kms-enable-rotation`` against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, ApiCall, Fix, ResourceGone

from .conftest import drill, target

Client = Callable[[str], Any]


def _fix() -> Fix:
    fix = FIXES.get("kms-enable-rotation")
    assert fix is not None
    return fix


def _key(client: Client, **spec: Any) -> Any:
    meta = client("kms").create_key(**spec)["KeyMetadata"]
    return target("aws.kms.key", meta["KeyId"], meta["Arn"])


def test_rotation_is_enabled_and_rolled_back(aws: AccountAws, client: Client) -> None:
    where = _key(client)
    backup = drill(_fix(), aws, where)
    assert backup["KeyRotationEnabled"] is False
    assert backup["KeyManager"] == "CUSTOMER"


def test_a_rotating_key_needs_nothing(aws: AccountAws, client: Client) -> None:
    where = _key(client)
    client("kms").enable_key_rotation(KeyId=where.name)
    current = _fix().read(aws, where)
    assert _fix().is_compliant(current, where)
    assert _fix().calls(current, where) == []


def test_an_asymmetric_key_cannot_rotate_and_is_left_alone(aws: AccountAws, client: Client) -> None:
    where = _key(client, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    current = _fix().read(aws, where)
    assert current["KeyRotationEnabled"] is None
    assert _fix().calls(current, where) == []


def test_a_key_pending_deletion_is_left_alone(aws: AccountAws, client: Client) -> None:
    where = _key(client)
    client("kms").schedule_key_deletion(KeyId=where.name, PendingWindowInDays=7)
    current = _fix().read(aws, where)
    assert current["KeyState"] == "PendingDeletion"
    assert _fix().calls(current, where) == []


def test_an_aws_managed_key_is_never_touched() -> None:
    where = target("aws.kms.key", "aws-managed")
    current = {
        "KeyManager": "AWS",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS",
        "KeyState": "Enabled",
        "KeyRotationEnabled": False,
        "RotationPeriodInDays": None,
    }
    assert _fix().is_compliant(current, where)
    assert _fix().calls(current, where) == []


def test_rollback_keeps_a_custom_rotation_period() -> None:
    where = target("aws.kms.key", "k")
    backup = {"KeyManager": "CUSTOMER", "KeyRotationEnabled": True, "RotationPeriodInDays": 180}
    current = {**backup, "KeyRotationEnabled": False, "RotationPeriodInDays": None}
    assert _fix().rollback_calls(backup, current, where) == [
        ApiCall("kms", "enable_key_rotation", {"KeyId": "k", "RotationPeriodInDays": 180})
    ]


def test_a_deleted_key_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix().read(aws, target("aws.kms.key", "1234abcd-12ab-34cd-56ef-1234567890ab"))
