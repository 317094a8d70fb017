"""IAM account settings (password policy, account summary) and IAM server certificates."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)


def _setting(scope: Scope, arn: str, config: dict[str, Any]) -> DiscoveredAsset:
    config = plain({"Arn": arn, "AccountId": scope.account_id, **config, "Tags": {}})
    return DiscoveredAsset(
        asset_id=arn, name=scope.account_id, region=scope.region, config=config, tags={}
    )


@connector(
    "aws.iam.password_policy",
    custodian=(),
    service="iam",
    scope="global",
    permissions=("iam:GetAccountPasswordPolicy",),
    id_field="Arn",
    name_field="AccountId",
)
class IamPasswordPolicyConnector(Connector):
    """The account's IAM password policy, one asset per account; Exists is false when unset."""

    config_shape = ConfigShape(
        api=("iam", "PasswordPolicy"),
        attributes=("AccountId", "Arn", "Exists", "Tags"),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The account itself."""
        return [{"AccountId": scope.account_id}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """GetAccountPasswordPolicy; NoSuchEntity means no policy."""
        iam = scope.client("iam")
        found = optional(iam.get_account_password_policy, missing=("NoSuchEntity",))
        policy = (found or {}).get("PasswordPolicy", {})
        arn = f"arn:aws:iam::{scope.account_id}:account-password-policy"
        return _setting(scope, arn, {"Exists": found is not None, **policy})


def root_mfa(account_id: str, mfa_enabled: bool, devices: list[dict[str, Any]]) -> dict[str, bool]:
    """Whether root MFA is on, and whether it is virtual (a root virtual device) or hardware."""
    root_arn = f"arn:aws:iam::{account_id}:root"
    virtual = any(
        d.get("User", {}).get("Arn") == root_arn
        or str(d.get("SerialNumber", "")).endswith(":mfa/root-account-mfa-device")
        for d in devices
    )
    return {
        "RootMfaEnabled": mfa_enabled,
        "RootVirtualMfa": mfa_enabled and virtual,
        "RootHardwareMfaEnabled": mfa_enabled and not virtual,
    }


ROOT_ROW = "<root_account>"
_NO_DATE = ("", "N/A", "no_information", "not_supported")
_REPORT_WAITS = 10  # GenerateCredentialReport usually completes in a second or two


def root_last_used(report_csv: str) -> dict[str, str | None] | None:
    """The days the root user's password and access keys were last used, from the credential
    report (None when the report has no root row)."""
    for row in csv.DictReader(io.StringIO(report_csv)):
        if row.get("user") == ROOT_ROW:
            fields = {
                "Password": "password_last_used",
                "AccessKey1": "access_key_1_last_used_date",
                "AccessKey2": "access_key_2_last_used_date",
            }
            return {
                name: None if row.get(column, "") in _NO_DATE else row[column][:10]
                for name, column in fields.items()
            }
    return None


def credential_report(iam: Any) -> str:
    """The account's credential report (generated when missing or older than four hours)."""
    for _ in range(_REPORT_WAITS):
        if iam.generate_credential_report().get("State") == "COMPLETE":
            break
        time.sleep(1)
    content = iam.get_credential_report()["Content"]
    return content.decode() if isinstance(content, bytes) else str(content)


@connector(
    "aws.iam.account_summary",
    custodian=(),
    service="iam",
    scope="global",
    permissions=(
        "iam:GetAccountSummary",
        "iam:ListVirtualMFADevices",
        "iam:GenerateCredentialReport",
        "iam:GetCredentialReport",
    ),
    id_field="Arn",
    name_field="AccountId",
)
class IamAccountSummaryConnector(Connector):
    """The account's IAM summary: root MFA (virtual or hardware), root access keys and when the
    root user was last used (credential report), counts."""

    config_shape = ConfigShape(
        attributes=(
            "AccountId",
            "Arn",
            "RootAccessKeysPresent",
            "RootHardwareMfaEnabled",
            "RootLastUsed",
            "RootMfaEnabled",
            "RootVirtualMfa",
            "SummaryMap",
            "Tags",
        ),
    )

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """The account itself."""
        return [{"AccountId": scope.account_id}]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """GetAccountSummary and the assigned virtual MFA devices (seeds never kept)."""
        iam = scope.client("iam")
        summary: dict[str, int] = iam.get_account_summary()["SummaryMap"]
        devices = paginate(
            iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned"
        )
        mfa = root_mfa(scope.account_id, summary.get("AccountMFAEnabled") == 1, devices)
        config = {
            **mfa,
            "RootAccessKeysPresent": summary.get("AccountAccessKeysPresent") == 1,
            "RootLastUsed": root_last_used(credential_report(iam)),
            "SummaryMap": dict(sorted(summary.items())),
        }
        arn = f"arn:aws:iam::{scope.account_id}:account-summary"
        return _setting(scope, arn, config)


@connector(
    "aws.iam.server_certificate",
    custodian=("iam-certificate",),
    service="iam",
    scope="global",
    permissions=("iam:ListServerCertificates", "iam:GetServerCertificate"),
    id_field="Arn",
    name_field="ServerCertificateName",
)
class IamServerCertificateConnector(Connector):
    """IAM server certificates: upload and expiry dates and tags (no body, no private key)."""

    config_shape = ConfigShape(api=("iam", "ServerCertificateMetadata"), attributes=("Tags",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListServerCertificates."""
        return paginate(
            scope.client("iam"), "list_server_certificates", "ServerCertificateMetadataList"
        )

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Tags from GetServerCertificate (it returns them; the body is dropped); None if gone."""
        name: str = resource["ServerCertificateName"]
        found = optional(
            scope.client("iam").get_server_certificate,
            missing=("NoSuchEntity",),
            ServerCertificateName=name,
        )
        if found is None:
            return None
        tags = flatten_tags(found["ServerCertificate"].get("Tags"))
        config = plain({**resource, "Tags": tags})
        return DiscoveredAsset(
            asset_id=resource["Arn"], name=name, region=scope.region, config=config, tags=tags
        )
