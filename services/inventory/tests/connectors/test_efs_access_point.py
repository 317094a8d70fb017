"""EFS access points through the connector: one confining clients, one exposing the whole tree."""

from __future__ import annotations

from typing import Any


def test_confining_access_point_and_open_access_point(aws: Any, discover: Any) -> None:
    efs = aws("efs")
    file_system = efs.create_file_system(CreationToken="shared", Encrypted=True)["FileSystemId"]
    confined = efs.create_access_point(
        FileSystemId=file_system,
        ClientToken="app",
        PosixUser={"Uid": 1001, "Gid": 1001, "SecondaryGids": [3000, 2000]},
        RootDirectory={
            "Path": "/app",
            "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1001, "Permissions": "750"},
        },
        Tags=[
            {"Key": "Name", "Value": "app-data"},
            {"Key": "Owner", "Value": "app-team@example.com"},
        ],
    )["AccessPointArn"]
    whole_tree = efs.create_access_point(FileSystemId=file_system, ClientToken="admin")[
        "AccessPointArn"
    ]

    found = discover("aws.efs.access_point")

    good = found[confined]
    bad = found[whole_tree].config
    assert good.name == "app-data"
    assert good.config["RootDirectory"]["Path"] == "/app"
    assert good.config["PosixUser"] == {"Uid": 1001, "Gid": 1001, "SecondaryGids": [2000, 3000]}
    assert good.config["FileSystemId"] == file_system
    assert good.owner == "app-team@example.com"
    assert "ClientToken" not in good.config
    assert "LifeCycleState" not in good.config
    assert bad["RootDirectory"] == {"Path": "/"}
    assert bad["PosixUser"] is None
    assert bad["Name"] == bad["AccessPointId"]
