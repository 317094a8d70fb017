"""EFS access points on the estate's shared file system (``efs``): one confining, two loose."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

ACCESS_POINT = "aws.efs.access_point"


def seed(account: Account) -> list[Seeded]:
    """Every access point with what it must fail; ``efs.seed`` made the file system."""
    efs = account.client("efs")
    shared = efs.describe_file_systems(CreationToken=account.name_of("shared"))["FileSystems"]
    file_system = shared[0]["FileSystemId"]

    def access_point(short: str, **settings: Any) -> str:
        answer = efs.create_access_point(
            FileSystemId=file_system,
            ClientToken=account.name_of(short),
            Tags=[{"Key": "Name", "Value": account.name_of(short)}],
            **settings,
        )
        return str(answer["AccessPointArn"])

    uploads = access_point(
        "uploads",
        PosixUser={"Uid": 1001, "Gid": 1001},
        RootDirectory={
            "Path": "/uploads",
            "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1001, "Permissions": "750"},
        },
    )
    reports = access_point(
        "reports",
        RootDirectory={
            "Path": "/reports",
            "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "777"},
        },
    )
    admin = access_point("admin")
    return [
        seeded(ACCESS_POINT, uploads),
        seeded(
            ACCESS_POINT,
            reports,
            {"aws-efs-access-point-posix-user", "aws-efs-access-point-root-not-world-writable"},
        ),
        seeded(
            ACCESS_POINT,
            admin,
            {"aws-efs-access-point-posix-user", "aws-efs-access-point-root-directory"},
        ),
    ]
