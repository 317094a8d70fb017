"""EFS file systems: one encrypted with backups on, one left at defaults."""

from __future__ import annotations

from pacbot.cli.estate._model import Account, Seeded, seeded

FILE_SYSTEM = "aws.efs.file_system"


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Both file systems with what each must fail."""
    efs = account.client("efs")
    shared = efs.create_file_system(
        CreationToken=account.name_of("shared"), Encrypted=True, KmsKeyId=key_arn, Backup=True
    )
    scratch = efs.create_file_system(CreationToken=account.name_of("scratch"), Encrypted=False)
    return [
        seeded(FILE_SYSTEM, shared["FileSystemArn"]),
        seeded(
            FILE_SYSTEM,
            scratch["FileSystemArn"],
            {"aws-efs-file-system-backup", "aws-efs-file-system-encrypted"},
        ),
    ]
