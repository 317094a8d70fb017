"""Every connector documents its config document's top-level attributes (``config_shape``, or a
declared identity and fills): `pacbot policy lint` warns of a key outside them. The estate
scan (libs/cli/tests/test_estate_scan.py) holds what moto's descriptions really carry to the
same declarations."""

from __future__ import annotations

import pytest

from pacbot.inventory.connectors import CONNECTORS, ConfigShape, Connector, documented_attributes
from pacbot.inventory.connectors.registry import api_members


@pytest.mark.parametrize("connector_cls", list(CONNECTORS), ids=CONNECTORS.types())
def test_every_connector_documents_its_config_shape(connector_cls: type[Connector]) -> None:
    known = documented_attributes(connector_cls)
    assert known, "declare config_shape = ConfigShape(...) (or identity and fills)"
    meta = connector_cls.meta
    assert {meta.id_field, meta.name_field} <= known
    assert "Tags" in known  # connectors.md: every config carries its flattened tags
    shape = connector_cls.config_shape
    if shape is None:
        return
    assert list(shape.attributes) == sorted(shape.attributes)
    if shape.api is not None:
        members = api_members(*shape.api)
        added = set(shape.attributes)
        assert not added & members, f"already members of {shape.api}: {sorted(added & members)}"


def test_an_api_shape_is_botocores_structure_or_enum() -> None:
    assert {"MetadataOptions", "InstanceId", "Tags"} <= api_members("ec2", "Instance")
    assert "KmsMasterKeyId" in api_members("sqs", "QueueAttributeName")
    shape = ConfigShape(api=("ec2", "Volume"), attributes=("Arn", "Name"))
    assert {"Encrypted", "KmsKeyId", "Arn", "Name"} <= shape.names()
    with pytest.raises(ValueError, match="ec2:Integer is a integer, not a structure or an enum"):
        api_members("ec2", "Integer")
