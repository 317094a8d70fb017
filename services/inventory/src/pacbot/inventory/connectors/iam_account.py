"""IAM account settings (password policy, account summary) and IAM server certificates."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors._aws import flatten_tags, optional, paginate, plain
from pacbot.inventory.connectors.registry import Connector, DiscoveredAsset, Scope, connector


def _setting(scope: Scope, arn: str, config: dict[str, Any]) -> DiscoveredAsset:
    config = plain({"Arn": arn, "AccountId": scope.account_id, **config, "Tags": {}})
    return DiscoveredAsset(
        asset_id=arn, name=scope.account_id, region=scope.region, config=config, tags={}
    )


@connector(
    "aws.iam.password_policy",
    service="iam",
    scope="global",
    permissions=("iam:GetAccountPasswordPolicy",),
    id_field="Arn",
    name_field="AccountId",
)
class IamPasswordPolicyConnector(Connector):
    """The account's IAM password policy, one asset per account; Exists is false when unset."""

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


@connector(
    "aws.iam.account_summary",
    service="iam",
    scope="global",
    permissions=("iam:GetAccountSummary", "iam:ListVirtualMFADevices"),
    id_field="Arn",
    name_field="AccountId",
)
class IamAccountSummaryConnector(Connector):
    """The account's IAM summary: root MFA (virtual or hardware), root access keys, counts."""

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
            "SummaryMap": dict(sorted(summary.items())),
        }
        arn = f"arn:aws:iam::{scope.account_id}:account-summary"
        return _setting(scope, arn, config)


@connector(
    "aws.iam.server_certificate",
    service="iam",
    scope="global",
    permissions=("iam:ListServerCertificates", "iam:GetServerCertificate"),
    id_field="Arn",
    name_field="ServerCertificateName",
)
class IamServerCertificateConnector(Connector):
    """IAM server certificates: upload and expiry dates and tags (no body, no private key)."""

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
