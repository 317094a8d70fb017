"""Athena workgroups through the connector: an enforced, encrypted group vs the default one."""

from __future__ import annotations

from typing import Any


def test_enforced_encrypted_workgroup_and_primary_workgroup(aws: Any, discover: Any) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/0b6e2f4a-1111-2222-3333-444455556666"
    aws("athena").create_work_group(
        Name="analysts",
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": "s3://athena-results-123456789012/analysts/",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": key},
            },
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": 10 * 1024**3,
        },
        Tags=[{"Key": "Owner", "Value": "analytics"}],
    )

    found = {a.name: a for a in discover("aws.athena.workgroup").values()}

    good = found["analysts"]
    assert good.asset_id == "arn:aws:athena:us-east-1:123456789012:workgroup/analysts"
    assert good.owner == "analytics"
    settings = good.config["Configuration"]
    assert settings["ResultConfiguration"]["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": key,
    }
    assert settings["EnforceWorkGroupConfiguration"] is True
    assert settings["BytesScannedCutoffPerQuery"] == 10 * 1024**3
    primary = found["primary"].config["Configuration"]  # every region has it, at AWS's defaults
    assert primary["ResultConfiguration"]["EncryptionConfiguration"] is None
    assert primary["EnforceWorkGroupConfiguration"] is False
    assert primary["PublishCloudWatchMetricsEnabled"] is False
    assert primary["BytesScannedCutoffPerQuery"] is None
