"""Every connector says what Cloud Custodian calls its resource type (or that Custodian has
none): the policy importer's resource mapping is generated from these declarations."""

from __future__ import annotations

import pytest

from pacbot.inventory.connectors import CONNECTORS, Connector, ConnectorRegistry


def test_every_connector_declares_its_custodian_names() -> None:
    undeclared = [cls.meta.resource_type for cls in CONNECTORS if cls.meta.custodian is None]
    assert undeclared == [], "declare custodian=(...) (or () when Custodian has no such type)"


def test_the_generated_mapping_covers_the_common_custodian_types() -> None:
    names = CONNECTORS.custodian_names()
    assert names["s3"] == "aws.s3.bucket"
    assert names["security-group"] == "aws.ec2.security_group"
    assert names["asg"] == "aws.autoscaling.group"
    assert names["app-elb-target-group"] == "aws.elbv2.target_group"
    assert names["ecs-service"] == "aws.ecs.service"
    assert set(names.values()) <= set(CONNECTORS.types())
    assert all(name == name.lower() and " " not in name for name in names)


def test_a_custodian_name_claimed_twice_is_refused() -> None:
    registry = ConnectorRegistry()
    for resource_type in ("aws.x.one", "aws.x.two"):

        @registry.register(
            resource_type,
            service="x",
            scope="regional",
            permissions=(),
            id_field="Arn",
            name_field="Name",
            custodian=("shared-name",),
        )
        class _Probe(Connector):
            def list_resources(self, scope):  # type: ignore[no-untyped-def]
                return []

            def describe(self, scope, resource):  # type: ignore[no-untyped-def]
                return None

    with pytest.raises(ValueError, match=r"'shared-name' claimed by aws\.x\.one and aws\.x\.two"):
        registry.custodian_names()
