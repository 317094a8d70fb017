"""S3 buckets: listed account-wide, each described with the config document of docs/contracts.md."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from pacbot.inventory.connectors._aws import iso_utc, paginate, plain
from pacbot.inventory.connectors.registry import Connector, DiscoveredAsset, Scope, connector

PUBLIC_GROUPS = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)
_PAGE = 1000  # a paged ListBuckets names every bucket's region (BucketRegion)
_GRANTEE_KEYS = ("Type", "ID", "URI", "EmailAddress")
_MISSING_CODES = frozenset(
    {
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchTagSet",
        "NoSuchLifecycleConfiguration",
    }
)


class BucketGone(Exception):
    """The bucket was deleted between the listing and its description."""


def _optional(call: Any, bucket: str) -> dict[str, Any] | None:
    """The response, or None when the bucket simply has no such configuration."""
    try:
        response: dict[str, Any] = call(Bucket=bucket)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in _MISSING_CODES:
            return None
        if code == "NoSuchBucket":
            raise BucketGone(bucket) from exc
        raise
    response.pop("ResponseMetadata", None)
    return response


def bucket_region(location: str | None) -> str:
    """GetBucketLocation's answer as a region name (null is us-east-1, EU is eu-west-1)."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else location


def normalise_acl(acl: dict[str, Any]) -> dict[str, Any]:
    """Owner id and grants without display names, in a stable order."""
    grants = [
        {
            "Grantee": {k: g["Grantee"][k] for k in _GRANTEE_KEYS if k in g.get("Grantee", {})},
            "Permission": g["Permission"],
        }
        for g in acl.get("Grants", [])
    ]
    grants.sort(key=lambda g: json.dumps(g, sort_keys=True))
    return {"Owner": {"ID": acl.get("Owner", {}).get("ID")}, "Grants": grants}


def lifecycle_rules(lifecycle: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """Lifecycle rules in a stable order (theirs carries no meaning); None when there are none."""
    if lifecycle is None:
        return None
    rules: list[dict[str, Any]] = plain(lifecycle.get("Rules", []))
    return sorted(rules, key=lambda r: json.dumps(r, sort_keys=True))


def public_acl_grants(acl: dict[str, Any]) -> list[str]:
    """Permissions the ACL grants to everyone or to any authenticated AWS user."""
    return sorted(
        {g["Permission"] for g in acl["Grants"] if g["Grantee"].get("URI") in PUBLIC_GROUPS}
    )


@connector(
    "aws.s3.bucket",
    custodian=("s3",),
    service="s3",
    scope="global",
    permissions=(
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
        "s3:GetBucketPolicyStatus",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetBucketLogging",
        "s3:GetLifecycleConfiguration",
    ),
    id_field="Arn",
    name_field="Name",
    identity=("Name", "Arn", "Region", "CreationDate"),
    fills={
        "acl": ("Acl", "PublicAclGrants"),
        "policy": ("Policy",),
        "policy_status": ("PolicyStatus",),
        "public_access_block": ("PublicAccessBlock",),
        "encryption": ("Encryption",),
        "tagging": ("Tags",),
        "versioning": ("Versioning",),
        "logging": ("Logging",),
        "lifecycle": ("Lifecycle",),
    },
)
class S3BucketConnector(Connector):
    """Every bucket of the account, whatever its region; assets keep the bucket's real region.

    The bucket's region (and so the client to ask) comes from the listing, or from its location
    where the listing does not name it; each other per-bucket call is made only when wanted (see
    ``Connector.calls``). A description without the ``tagging`` call carries no tags, and no
    ``Tags`` attribute either.
    """

    def list_resources(self, scope: Scope) -> list[dict[str, Any]]:
        """ListBuckets, which is account-wide; paged, so AWS names each bucket's region too."""
        return paginate(scope.client("s3"), "list_buckets", "Buckets", MaxBuckets=_PAGE)

    def describe(self, scope: Scope, resource: dict[str, Any]) -> DiscoveredAsset | None:
        """Location, ACL, policy and its status, public access block, encryption and tags."""
        name: str = resource["Name"]
        try:
            region = resource.get("BucketRegion")
            if not region:  # an endpoint whose listing does not name regions
                location = _optional(scope.client("s3").get_bucket_location, name) or {}
                region = bucket_region(location.get("LocationConstraint"))
            return self._describe_in(scope.client("s3", region), resource, region)
        except BucketGone:
            return None

    def _describe_in(self, s3: Any, resource: dict[str, Any], region: str) -> DiscoveredAsset:
        name: str = resource["Name"]
        arn = f"arn:aws:s3:::{name}"
        config: dict[str, Any] = {
            "Name": name,
            "Arn": arn,
            "Region": region,
            "CreationDate": iso_utc(resource["CreationDate"]),
        }
        if self.wants("acl"):
            acl = normalise_acl(_optional(s3.get_bucket_acl, name) or {})
            config["Acl"] = acl
            config["PublicAclGrants"] = public_acl_grants(acl)
        no_policy = False
        if self.wants("policy"):
            policy = _optional(s3.get_bucket_policy, name)
            config["Policy"] = json.loads(policy["Policy"]) if policy else None
            no_policy = policy is None
        if self.wants("policy_status"):
            # a bucket without a policy has no policy status (AWS answers NoSuchBucketPolicy):
            # having just been told there is no policy, that answer is already known
            status = None if no_policy else _optional(s3.get_bucket_policy_status, name)
            config["PolicyStatus"] = status["PolicyStatus"] if status else None
        if self.wants("public_access_block"):
            block = _optional(s3.get_public_access_block, name)
            config["PublicAccessBlock"] = block["PublicAccessBlockConfiguration"] if block else None
        if self.wants("encryption"):
            encryption = _optional(s3.get_bucket_encryption, name)
            config["Encryption"] = (
                encryption["ServerSideEncryptionConfiguration"] if encryption else None
            )
        if self.wants("versioning"):
            versioning = _optional(s3.get_bucket_versioning, name) or {}
            config["Versioning"] = {
                "Status": versioning.get("Status"),
                "MFADelete": versioning.get("MFADelete"),
            }
        if self.wants("logging"):
            logging = _optional(s3.get_bucket_logging, name) or {}
            enabled = logging.get("LoggingEnabled")
            config["Logging"] = plain(enabled) if enabled else None
        if self.wants("lifecycle"):
            config["Lifecycle"] = lifecycle_rules(
                _optional(s3.get_bucket_lifecycle_configuration, name)
            )
        tags: dict[str, str] = {}
        if self.wants("tagging"):
            tagging = _optional(s3.get_bucket_tagging, name)
            tags = {t["Key"]: t["Value"] for t in (tagging or {}).get("TagSet", [])}
            config["Tags"] = tags
        return DiscoveredAsset(asset_id=arn, name=name, region=region, config=config, tags=tags)
