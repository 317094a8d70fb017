"""Every registered connector sweeps a moto account without failing, and the registry is sound."""

from __future__ import annotations

from typing import Any

from pacbot.inventory.connectors import CONNECTORS


async def test_a_scan_with_every_connector_succeeds(start_inventory: Any, s3: Any) -> None:
    s3.create_bucket(Bucket="full-registry-bucket")
    async with start_inventory(registry=CONNECTORS) as inventory:
        sweeps = await inventory.scan()
    failed = {s["resource_type"]: s["error"] for s in sweeps if s["status"] != "succeeded"}
    assert failed == {}
    assert {s["resource_type"] for s in sweeps} == set(CONNECTORS.types())
