"""EFS file systems through the connector: encrypted with backups vs unencrypted and open."""

from __future__ import annotations

import json
from typing import Any


def test_encrypted_file_system_and_unencrypted_file_system(aws: Any, discover: Any) -> None:
    efs = aws("efs")
    bad_id = efs.create_file_system(CreationToken="open-fs", Encrypted=False)["FileSystemId"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "elasticfilesystem:ClientMount",
                "Resource": "*",
            }
        ],
    }
    efs.put_file_system_policy(FileSystemId=bad_id, Policy=json.dumps(policy))
    good_id = efs.create_file_system(
        CreationToken="closed-fs",
        Encrypted=True,
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/efs",
        Backup=True,
        Tags=[{"Key": "Owner", "Value": "storage-team@example.com"}],
    )["FileSystemId"]

    found = {a.name: a for a in discover("aws.efs.file_system").values()}

    bad = found[bad_id].config
    good = found[good_id]
    assert bad["Encrypted"] is False
    assert bad["KmsKeyId"] is None
    assert bad["BackupPolicy"] is None
    assert bad["FileSystemPolicy"]["Statement"][0]["Principal"] == {"AWS": "*"}
    assert good.config["Encrypted"] is True
    assert good.config["KmsKeyId"].endswith("key/efs")
    assert good.config["BackupPolicy"] == {"Status": "ENABLED"}
    assert good.config["FileSystemPolicy"] is None
    assert good.asset_id == good.config["FileSystemArn"]
    assert good.owner == "storage-team@example.com"
    assert "SizeInBytes" not in good.config
