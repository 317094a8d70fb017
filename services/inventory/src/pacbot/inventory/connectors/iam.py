"""IAM users, roles, groups and customer-managed policies, from GetAccountAuthorizationDetails."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import (
    error_code,
    flatten_tags,
    iso_utc,
    optional,
    paginate,
    plain,
    policy_document,
)
from pacbot.inventory.connectors.registry import (
    ConfigShape,
    Connector,
    DiscoveredAsset,
    Scope,
    connector,
)

_DETAILS = "iam:GetAccountAuthorizationDetails"
_LISTS = {
    "User": "UserDetailList",
    "Role": "RoleDetailList",
    "Group": "GroupDetailList",
    "LocalManagedPolicy": "Policies",
}


def authorization_details(scope: Scope, *filters: str) -> dict[str, list[dict[str, Any]]]:
    """Every page of GetAccountAuthorizationDetails for ``filters``, by list name."""
    iam = scope.client("iam")
    found: dict[str, list[dict[str, Any]]] = {_LISTS[f]: [] for f in filters}
    for page in iam.get_paginator("get_account_authorization_details").paginate(
        Filter=list(filters)
    ):
        for key in found:
            found[key].extend(page.get(key, []))
    return found


def last_used_day(value: Any) -> str | None:
    """A last-used timestamp cut to its UTC day, so ordinary use does not churn the config hash."""
    stamp = iso_utc(value)
    return stamp[:10] if stamp else None


def inline_policies(policies: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Inline policies with decoded documents, sorted by name."""
    return sorted(
        (
            {"PolicyName": p["PolicyName"], "PolicyDocument": policy_document(p["PolicyDocument"])}
            for p in policies or []
        ),
        key=lambda p: str(p["PolicyName"]),
    )


def attached_policies(policies: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Attached managed policies, sorted by ARN."""
    return sorted(plain(policies or []), key=lambda p: str(p["PolicyArn"]))


def _asset(scope: Scope, arn: str, name: str, config: dict[str, Any]) -> DiscoveredAsset:
    config = plain(config)
    return DiscoveredAsset(
        asset_id=arn, name=name, region=scope.region, config=config, tags=config["Tags"]
    )


@connector(
    "aws.iam.user",
    custodian=("iam-user",),
    service="iam",
    scope="global",
    permissions=(
        _DETAILS,
        "iam:ListUsers",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "iam:ListMFADevices",
        "iam:GetLoginProfile",
    ),
    id_field="Arn",
    name_field="UserName",
    identity=(
        "UserName",
        "UserId",
        "Arn",
        "Path",
        "CreateDate",
        "PasswordLastUsed",
        "GroupList",
        "AttachedManagedPolicies",
        "UserPolicyList",
        "PermissionsBoundary",
        "Tags",
    ),
    fills={
        "access_keys": ("AccessKeys",),
        "mfa_devices": ("MFADevices", "MfaEnabled"),
        "login_profile": ("PasswordEnabled", "LoginProfile"),
    },
)
class IamUserConnector(Connector):
    """IAM users with their credentials (keys, MFA, console password) and permissions."""

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Users from the authorization details, with PasswordLastUsed from ListUsers."""
        users = authorization_details(scope, "User")["UserDetailList"]
        listed = paginate(scope.client("iam"), "list_users", "Users")
        last_used = {u["UserName"]: u.get("PasswordLastUsed") for u in listed}
        return [{**u, "PasswordLastUsed": last_used.get(u["UserName"])} for u in users]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Access keys with last use, MFA devices and login profile; None if the user is gone."""
        iam = scope.client("iam")
        name: str = resource["UserName"]
        config: dict[str, Any] = {
            "UserName": name,
            "UserId": resource["UserId"],
            "Arn": resource["Arn"],
            "Path": resource.get("Path"),
            "CreateDate": resource.get("CreateDate"),
            "PasswordLastUsed": last_used_day(resource.get("PasswordLastUsed")),
            "GroupList": sorted(resource.get("GroupList", [])),
            "AttachedManagedPolicies": attached_policies(resource.get("AttachedManagedPolicies")),
            "UserPolicyList": inline_policies(resource.get("UserPolicyList")),
            "PermissionsBoundary": resource.get("PermissionsBoundary"),
            "Tags": flatten_tags(resource.get("Tags")),
        }
        try:
            if self.wants("access_keys"):
                keys = paginate(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
                config["AccessKeys"] = sorted(
                    (self._key(iam, k) for k in keys), key=lambda k: str(k["AccessKeyId"])
                )
            if self.wants("mfa_devices"):
                mfa = paginate(iam, "list_mfa_devices", "MFADevices", UserName=name)
                config["MFADevices"] = sorted(
                    (
                        {"SerialNumber": d["SerialNumber"], "EnableDate": d.get("EnableDate")}
                        for d in mfa
                    ),
                    key=lambda d: str(d["SerialNumber"]),
                )
                config["MfaEnabled"] = bool(mfa)
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise
        if self.wants("login_profile"):
            profile = optional(iam.get_login_profile, missing=("NoSuchEntity",), UserName=name)
            login = (profile or {}).get("LoginProfile")
            config["PasswordEnabled"] = login is not None
            config["LoginProfile"] = (
                {k: login.get(k) for k in ("CreateDate", "PasswordResetRequired")}
                if login
                else None
            )
        return _asset(scope, resource["Arn"], name, config)

    @staticmethod
    def _key(iam: Any, key: dict[str, Any]) -> dict[str, Any]:
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"]).get(
            "AccessKeyLastUsed", {}
        )
        return {
            "AccessKeyId": key["AccessKeyId"],
            "Status": key.get("Status"),
            "CreateDate": key.get("CreateDate"),
            "LastUsedDate": last_used_day(used.get("LastUsedDate")),
            "LastUsedServiceName": used.get("ServiceName"),
        }


@connector(
    "aws.iam.role",
    custodian=("iam-role",),
    service="iam",
    scope="global",
    permissions=(_DETAILS,),
    id_field="Arn",
    name_field="RoleName",
)
class IamRoleConnector(Connector):
    """IAM roles with their trust policy, permissions and last use, in one paged call."""

    config_shape = ConfigShape(api=("iam", "RoleDetail"), attributes=("InstanceProfileArns",))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Roles from the authorization details."""
        return authorization_details(scope, "Role")["RoleDetailList"]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed role, normalised; no further calls."""
        last_used = resource.get("RoleLastUsed") or {}
        config = {
            "RoleName": resource["RoleName"],
            "RoleId": resource["RoleId"],
            "Arn": resource["Arn"],
            "Path": resource.get("Path"),
            "CreateDate": resource.get("CreateDate"),
            "AssumeRolePolicyDocument": policy_document(resource.get("AssumeRolePolicyDocument")),
            "AttachedManagedPolicies": attached_policies(resource.get("AttachedManagedPolicies")),
            "RolePolicyList": inline_policies(resource.get("RolePolicyList")),
            "InstanceProfileArns": sorted(
                p["Arn"] for p in resource.get("InstanceProfileList", [])
            ),
            "PermissionsBoundary": resource.get("PermissionsBoundary"),
            "RoleLastUsed": {"LastUsedDate": last_used_day(last_used.get("LastUsedDate"))},
            "Tags": flatten_tags(resource.get("Tags")),
        }
        return _asset(scope, resource["Arn"], resource["RoleName"], config)


@connector(
    "aws.iam.group",
    custodian=("iam-group",),
    service="iam",
    scope="global",
    permissions=(_DETAILS,),
    id_field="Arn",
    name_field="GroupName",
)
class IamGroupConnector(Connector):
    """IAM groups with their policies and members (members from the same paged call's users)."""

    config_shape = ConfigShape(api=("iam", "GroupDetail"), attributes=("Tags", "Users"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Groups from the authorization details, each with its member user names."""
        details = authorization_details(scope, "User", "Group")
        members: dict[str, list[str]] = {}
        for user in details["UserDetailList"]:
            for group in user.get("GroupList", []):
                members.setdefault(group, []).append(user["UserName"])
        return [
            {**g, "Users": sorted(members.get(g["GroupName"], []))}
            for g in details["GroupDetailList"]
        ]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The listed group, normalised; IAM groups carry no tags."""
        config = {
            "GroupName": resource["GroupName"],
            "GroupId": resource["GroupId"],
            "Arn": resource["Arn"],
            "Path": resource.get("Path"),
            "CreateDate": resource.get("CreateDate"),
            "AttachedManagedPolicies": attached_policies(resource.get("AttachedManagedPolicies")),
            "GroupPolicyList": inline_policies(resource.get("GroupPolicyList")),
            "Users": resource["Users"],
            "Tags": {},
        }
        return _asset(scope, resource["Arn"], resource["GroupName"], config)


@connector(
    "aws.iam.policy",
    custodian=("iam-policy",),
    service="iam",
    scope="global",
    permissions=(_DETAILS, "iam:ListPolicyTags"),
    id_field="Arn",
    name_field="PolicyName",
)
class IamPolicyConnector(Connector):
    """Customer-managed IAM policies with their default version's document decoded."""

    config_shape = ConfigShape(api=("iam", "Policy"), attributes=("PolicyDocument", "Scope"))

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """Local (customer-managed) policies from the authorization details."""
        return authorization_details(scope, "LocalManagedPolicy")["Policies"]

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """The default version's document and the tags; None if the policy is gone."""
        arn: str = resource["Arn"]
        try:
            tags = paginate(scope.client("iam"), "list_policy_tags", "Tags", PolicyArn=arn)
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise
        default: dict[str, Any] = next(
            (v for v in resource.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), {}
        )
        name = resource.get("PolicyName") or arn.rsplit("/", 1)[-1]  # moto omits PolicyName
        config = {
            **{k: v for k, v in resource.items() if k != "PolicyVersionList"},
            "PolicyName": name,
            "Scope": "Local",
            "PolicyDocument": policy_document(default.get("Document")),
            "Tags": flatten_tags(tags),
        }
        return _asset(scope, arn, name, config)
