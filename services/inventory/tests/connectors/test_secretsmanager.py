"""Secrets Manager secrets through the connector directly: rotating vs never rotated."""

from __future__ import annotations

import json
from typing import Any


def test_rotating_secret_vs_static_secret(aws: Any, discover: Any) -> None:
    sm = aws("secretsmanager")
    key = aws("kms").create_key()["KeyMetadata"]["Arn"]
    good = sm.create_secret(
        Name="db/prod",
        SecretString="s3cr3t-value",
        KmsKeyId=key,
        Tags=[{"Key": "Owner", "Value": "dba"}],
    )["ARN"]
    sm.rotate_secret(SecretId="db/prod", RotationRules={"AutomaticallyAfterDays": 30})
    bad = sm.create_secret(Name="legacy/api-token", SecretString="s3cr3t-value")["ARN"]

    found = discover("aws.secretsmanager.secret")

    assert set(found) == {good, bad}
    rotating, static = found[good], found[bad]
    assert rotating.owner == "dba"
    assert rotating.config["RotationEnabled"] is True
    assert rotating.config["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert rotating.config["LastRotatedDate"]
    assert rotating.config["KmsKeyId"] == key
    assert static.config["RotationEnabled"] is False
    assert static.config["RotationRules"] is None
    assert static.config["LastRotatedDate"] is None
    assert static.config["KmsKeyId"] is None
    for asset in found.values():
        assert "s3cr3t-value" not in json.dumps(asset.config)
        assert "SecretVersionsToStages" not in asset.config
        assert "LastChangedDate" not in asset.config
