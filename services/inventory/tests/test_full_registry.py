"""Every registered connector sweeps a moto account without failing, and the registry is sound."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors import CONNECTORS

MOTO_UNIMPLEMENTED = frozenset({"aws.ssm.managed_instance"})
"""Types whose listing call moto 5.2.5 does not implement (DescribeInstanceInformation answers
HTTP 500, measured); their connectors are tested with botocore's Stubber instead. A type leaves
this set once moto answers."""


async def test_a_scan_with_every_connector_succeeds(start_inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="full-registry-bucket")
    async with start_inventory(registry=CONNECTORS) as inventory:
        sweeps = await inventory.scan()
    failed = {s["resource_type"]: s["error"] for s in sweeps if s["status"] != "succeeded"}
    assert set(failed) == MOTO_UNIMPLEMENTED
    assert all(error.startswith("500:") for error in failed.values())
    assert {s["resource_type"] for s in sweeps} == set(CONNECTORS.types())
