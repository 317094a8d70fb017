"""The declared map of optional calls → attributes matches what connectors really produce."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import CONNECTORS, Connector, ConnectorRegistry, Scope

MOTO_ACCOUNT = "123456789012"
DECLARING = [cls for cls in CONNECTORS if cls.meta.fills]


def _seed_s3(aws: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="full-bucket")
    s3.put_bucket_tagging(
        Bucket="full-bucket", Tagging={"TagSet": [{"Key": "Owner", "Value": "a"}]}
    )
    s3.put_bucket_versioning(Bucket="full-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(
        Bucket="full-bucket",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::full-bucket/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    s3.create_bucket(Bucket="bare-bucket")


def _seed_iam_users(aws: Any) -> None:
    iam = aws("iam")
    iam.create_user(UserName="full-user", Tags=[{"Key": "Owner", "Value": "a"}])
    iam.create_access_key(UserName="full-user")
    iam.create_login_profile(UserName="full-user", Password="A-l0ng-Passw0rd!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="full-user-mfa")
    iam.enable_mfa_device(
        UserName="full-user",
        SerialNumber=serial["VirtualMFADevice"]["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.create_user(UserName="bare-user")


SEEDERS = {"aws.s3.bucket": _seed_s3, "aws.iam.user": _seed_iam_users}


def _describe(moto_url: str, cls: type[Connector], calls: Any) -> list[dict[str, Any]]:
    factory = AwsSessionFactory(endpoint_url=moto_url)
    region = "global" if cls.meta.scope == "global" else "us-east-1"
    scope = Scope(factory, AccountAccess(MOTO_ACCOUNT), region, "us-east-1")
    connector = cls(calls)
    found = [connector.describe(scope, r) for r in connector.list_resources(scope)]
    return [asset.config for asset in found if asset is not None]


def test_every_connector_that_declares_fills_has_an_estate_here() -> None:
    assert DECLARING, "no connector declares fills"
    assert {cls.meta.resource_type for cls in DECLARING} <= set(SEEDERS)


@pytest.mark.parametrize("cls", DECLARING, ids=lambda c: c.meta.resource_type)
def test_declared_attributes_are_exactly_those_produced(
    cls: type[Connector], aws: Any, moto_url: str
) -> None:
    SEEDERS[cls.meta.resource_type](aws)
    meta = cls.meta
    full = _describe(moto_url, cls, None)
    assert full
    for config in full:
        assert set(config) == meta.attributes()
    identity_only = _describe(moto_url, cls, ())
    for config in identity_only:
        assert set(config) == set(meta.identity)
    for call, attrs in meta.fills:
        for config, whole in zip(_describe(moto_url, cls, {call}), full, strict=True):
            assert set(config) == {*meta.identity, *attrs}, call
            assert config == {k: whole[k] for k in config}, call  # same values as a full one


def test_calls_for_asks_only_for_declared_attributes_and_everything_when_unsure() -> None:
    meta = CONNECTORS.get("aws.s3.bucket").meta
    assert meta.calls_for(["Encryption", "Name"]) == {"encryption"}
    assert meta.calls_for(["PublicAclGrants", "Tags"]) == {"acl", "tagging"}
    assert meta.calls_for([]) == frozenset()
    assert meta.calls_for(None) is None
    assert meta.calls_for(["Encryption", "NotAnAttribute"]) is None
    assert CONNECTORS.get("aws.ec2.security_group").meta.calls_for(["IpPermissions"]) is None


def test_registry_refuses_an_attribute_filled_twice_and_unknown_calls() -> None:
    registry = ConnectorRegistry()
    with pytest.raises(ValueError, match="'Tags' filled by"):
        registry.register(
            "aws.x.y",
            service="x",
            scope="regional",
            permissions=(),
            id_field="Arn",
            name_field="Name",
            identity=("Arn",),
            fills={"a": ("Tags",), "b": ("Tags",)},
        )
    with pytest.raises(ValueError, match="no call"):
        CONNECTORS.get("aws.s3.bucket")({"nonsense"})
