"""The declared map of optional calls → attributes matches what connectors really produce."""

from __future__ import annotations

import io
import json
import zipfile
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


def _seed_lambda(aws: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    lam = aws("lambda")
    for name in ("full-fn", "bare-fn"):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="handler.handler",
            Code={"ZipFile": buffer.getvalue()},
            Tags={"Owner": "a"} if name == "full-fn" else {},
        )
    lam.add_permission(
        FunctionName="full-fn",
        StatementId="public",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    lam.create_function_url_config(FunctionName="full-fn", AuthType="NONE")


SEEDERS = {
    "aws.s3.bucket": _seed_s3,
    "aws.iam.user": _seed_iam_users,
    "aws.lambda.function": _seed_lambda,
}


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
    bare = _describe(moto_url, cls, ())
    assert full
    optional = meta.attributes() - set(meta.identity)
    for config, listed in zip(full, bare, strict=True):
        assert set(config) - set(listed) == optional
        assert listed == {k: config[k] for k in listed}
        if meta.identity:
            assert set(listed) == set(meta.identity)
            assert set(config) == meta.attributes()
    for call, attrs in meta.fills:
        for config, whole, listed in zip(_describe(moto_url, cls, {call}), full, bare, strict=True):
            assert set(config) - set(listed) == set(attrs), call
            assert config == {k: whole[k] for k in config}, call  # same values as a full one


def test_calls_for_asks_only_for_declared_attributes_and_everything_when_unsure() -> None:
    meta = CONNECTORS.get("aws.s3.bucket").meta
    assert meta.calls_for(["Encryption", "Name"]) == {"encryption"}
    assert meta.calls_for(["PublicAclGrants", "Tags"]) == {"acl", "tagging"}
    assert meta.calls_for([]) == frozenset()
    assert meta.calls_for(None) is None
    assert meta.calls_for(["Encryption", "NotAnAttribute"]) is None
    assert CONNECTORS.get("aws.ec2.security_group").meta.calls_for(["IpPermissions"]) is None
    lam = CONNECTORS.get("aws.lambda.function").meta  # no declared identity: the listing's
    assert lam.calls_for(["Runtime"]) == frozenset()
    assert lam.calls_for(["Policy", "Runtime"]) == {"policy"}


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
