"""KMS keys through the connector directly: a rotating key and a non-rotating one."""

from __future__ import annotations

import json
from typing import Any


def test_rotating_key_vs_non_rotating_key(aws: Any, discover: Any) -> None:
    kms = aws("kms", "eu-west-1")
    good = kms.create_key(
        Description="rotating", Tags=[{"TagKey": "Owner", "TagValue": "crypto-team"}]
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=good["KeyId"])
    kms.create_alias(AliasName="alias/app-data", TargetKeyId=good["KeyId"])
    open_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    bad = kms.create_key(Description="static", Policy=json.dumps(open_policy))["KeyMetadata"]
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]

    found = discover("aws.kms.key", "eu-west-1")

    assert set(found) == {good["Arn"], bad["Arn"], signing["Arn"]}  # no aws/* managed keys
    rotating, static = found[good["Arn"]], found[bad["Arn"]]
    assert rotating.region == "eu-west-1"
    assert rotating.owner == "crypto-team"
    assert rotating.config["KeyManager"] == "CUSTOMER"
    assert rotating.config["KeyState"] == "Enabled"
    assert rotating.config["KeyRotationEnabled"] is True
    assert rotating.config["Aliases"] == ["alias/app-data"]
    assert rotating.config["Policy"]["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:root"
    }
    assert static.config["KeyRotationEnabled"] is False
    assert static.config["Aliases"] == []
    assert static.config["Policy"] == open_policy
    assert static.config["Tags"] == {}
    # Asymmetric keys cannot rotate: no rotation status is asked for.
    assert found[signing["Arn"]].config["KeyRotationEnabled"] is None
    assert discover("aws.kms.key", "us-east-1") == {}
