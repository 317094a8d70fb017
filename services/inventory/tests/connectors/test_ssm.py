"""Systems Manager through the connectors: parameters by type and key, documents by sharing."""

from __future__ import annotations

import json
from typing import Any


def test_secure_string_with_cmk_and_plain_secret_parameter(aws: Any, discover: Any) -> None:
    ssm = aws("ssm")
    key = "arn:aws:kms:us-east-1:123456789012:key/0b6e2f4a-1111-2222-3333-444455556666"
    ssm.put_parameter(
        Name="/prod/db/password",
        Value="never-read-back",
        Type="SecureString",
        KeyId=key,
        Tags=[{"Key": "Owner", "Value": "dba"}],
    )
    ssm.put_parameter(Name="legacy-api-token", Value="plain-text-token", Type="String")

    found = {a.name: a for a in discover("aws.ssm.parameter").values()}

    good = found["/prod/db/password"]
    assert good.asset_id == "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password"
    assert (good.config["Type"], good.config["KeyId"]) == ("SecureString", key)
    assert good.owner == "dba"
    bad = found["legacy-api-token"]
    assert bad.asset_id == "arn:aws:ssm:us-east-1:123456789012:parameter/legacy-api-token"
    assert (bad.config["Type"], bad.config["KeyId"]) == ("String", None)
    for asset in (good, bad):  # values never enter a config document
        assert "Value" not in asset.config
        assert "never-read-back" not in json.dumps(asset.config)
        assert "plain-text-token" not in json.dumps(asset.config)
        assert "LastModifiedUser" not in asset.config


def test_private_document_and_publicly_shared_document(aws: Any, discover: Any) -> None:
    ssm = aws("ssm")
    content = {
        "schemaVersion": "2.2",
        "description": "Restart the app",
        "mainSteps": [
            {
                "action": "aws:runShellScript",
                "name": "restart",
                "inputs": {"runCommand": ["systemctl restart app"]},
            }
        ],
    }
    for name in ("restart-app", "shared-restart"):
        ssm.create_document(
            Content=json.dumps(content),
            Name=name,
            DocumentType="Command",
            Tags=[{"Key": "Owner", "Value": "ops"}],
        )
    ssm.modify_document_permission(
        Name="restart-app", PermissionType="Share", AccountIdsToAdd=["210987654321"]
    )
    ssm.modify_document_permission(
        Name="shared-restart", PermissionType="Share", AccountIdsToAdd=["all"]
    )

    found = {a.name: a for a in discover("aws.ssm.document").values()}

    assert set(found) == {"restart-app", "shared-restart"}  # none of Amazon's own documents
    good = found["restart-app"]
    assert good.asset_id == "arn:aws:ssm:us-east-1:123456789012:document/restart-app"
    assert good.config["SharedWithAccounts"] == ["210987654321"]
    assert good.config["Public"] is False
    assert good.owner == "ops"
    bad = found["shared-restart"].config
    assert bad["SharedWithAccounts"] == ["all"]
    assert bad["Public"] is True
    assert bad["DocumentType"] == "Command"
