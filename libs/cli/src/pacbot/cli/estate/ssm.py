"""Systems Manager: a CMK SecureString, a plain-text token, a default-key secret; two documents."""

from __future__ import annotations

import json

from pacbot.cli.estate._model import Account, Seeded, seeded

PARAMETER = "aws.ssm.parameter"
DOCUMENT = "aws.ssm.document"
_RESTART = {
    "schemaVersion": "2.2",
    "description": "Restart the application service",
    "mainSteps": [
        {
            "action": "aws:runShellScript",
            "name": "restart",
            "inputs": {"runCommand": ["systemctl restart app"]},
        }
    ],
}


def _parameters(account: Account, key_arn: str) -> list[Seeded]:
    ssm = account.client("ssm")

    def put(path: str, kind: str, **settings: str) -> str:
        name = f"/{account.name}/{path}"
        ssm.put_parameter(Name=name, Value="simulated-value", Type=kind, **settings)
        return account.arn("ssm", f"parameter{name}")

    return [
        seeded(PARAMETER, put("db/password", "SecureString", KeyId=key_arn)),
        seeded(PARAMETER, put("app/log-level", "String")),
        seeded(
            PARAMETER, put("legacy/api-token", "String"), {"aws-ssm-parameter-secret-securestring"}
        ),
        seeded(
            PARAMETER,
            put("app/session-secret", "SecureString"),  # the AWS-managed alias/aws/ssm key
            {"aws-ssm-parameter-securestring-cmk"},
        ),
    ]


def _documents(account: Account) -> list[Seeded]:
    ssm = account.client("ssm")

    def document(name: str, share_with: str) -> str:
        full = account.name_of(name)
        ssm.create_document(Content=json.dumps(_RESTART), Name=full, DocumentType="Command")
        ssm.modify_document_permission(
            Name=full, PermissionType="Share", AccountIdsToAdd=[share_with]
        )
        return account.arn("ssm", f"document/{full}")

    return [
        seeded(DOCUMENT, document("restart-app", "210987654321")),
        seeded(DOCUMENT, document("shared-restart", "all"), {"aws-ssm-document-not-public"}),
    ]


def seed(account: Account, key_arn: str) -> list[Seeded]:
    """Every parameter and document with what each must fail."""
    return _parameters(account, key_arn) + _documents(account)
