"""Meta-tests over every registered connector, the config hash, and the migration vs. models."""

from __future__ import annotations

import re

import pytest

from pacbot.inventory.connectors import CONNECTORS, Connector, ConnectorRegistry
from pacbot.inventory.connectors.s3 import bucket_region, public_acl_grants
from pacbot.inventory.discovery.events import config_hash


@pytest.mark.parametrize("connector_cls", list(CONNECTORS), ids=CONNECTORS.types())
def test_every_connector_declares_its_metadata(connector_cls: type[Connector]) -> None:
    meta = connector_cls.meta
    assert re.fullmatch(r"aws\.[a-z0-9]+\.[a-z0-9_]+", meta.resource_type)
    assert meta.resource_type.split(".")[1] == meta.service
    assert meta.scope in {"global", "regional"}
    assert meta.permissions
    assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", p) for p in meta.permissions)
    assert meta.id_field
    assert meta.name_field
    assert connector_cls.__doc__


def test_registry_rejects_duplicates_and_names_known_types() -> None:
    registry = ConnectorRegistry()
    registry.register(
        "aws.s3.bucket",
        service="s3",
        scope="global",
        permissions=("s3:X",),
        id_field="Arn",
        name_field="Name",
    )(type("A", (), {}))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(
            "aws.s3.bucket",
            service="s3",
            scope="global",
            permissions=(),
            id_field="Arn",
            name_field="Name",
        )(type("B", (), {}))
    with pytest.raises(KeyError, match=r"aws\.s3\.bucket"):
        registry.get("aws.ec2.instance")
    assert "s3:ListAllMyBuckets" in CONNECTORS.permissions()


def test_config_hash_is_canonical() -> None:
    one = {"Name": "b", "Tags": {"a": "1", "b": "2"}, "Policy": None}
    two = {"Policy": None, "Tags": {"b": "2", "a": "1"}, "Name": "b"}
    assert config_hash(one) == config_hash(two)
    assert config_hash(one) != config_hash({**one, "Policy": {}})
    assert re.fullmatch(r"[0-9a-f]{64}", config_hash(one))


def test_bucket_location_and_public_grants() -> None:
    assert [bucket_region(x) for x in (None, "", "EU", "ap-south-1")] == [
        "us-east-1",
        "us-east-1",
        "eu-west-1",
        "ap-south-1",
    ]
    auth = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    everyone = "http://acs.amazonaws.com/groups/global/AllUsers"
    acl = {
        "Grants": [
            {"Grantee": {"Type": "Group", "URI": everyone}, "Permission": "READ"},
            {"Grantee": {"Type": "Group", "URI": auth}, "Permission": "WRITE"},
            {"Grantee": {"Type": "Group", "URI": auth}, "Permission": "READ"},
            {"Grantee": {"Type": "CanonicalUser", "ID": "x"}, "Permission": "FULL_CONTROL"},
        ]
    }
    assert public_acl_grants(acl) == ["READ", "WRITE"]
