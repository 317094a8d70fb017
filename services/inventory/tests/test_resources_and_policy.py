"""The resource catalogue and the read-only IAM policy come from the registry itself."""

from __future__ import annotations

import json
import re
from typing import Any

from pacbot.inventory.connectors import CONNECTORS
from pacbot.inventory.connectors._iam import (
    MANAGED_POLICY_LIMIT,
    read_only_policies,
    resource_catalogue,
)

ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]*$")
WRITE_VERBS = ("Put", "Create", "Delete", "Update", "Modify", "Attach", "Detach", "Set", "Tag")


def test_policy_grants_exactly_every_connector_permission_and_nothing_that_writes() -> None:
    documents = read_only_policies(CONNECTORS)
    granted = {a for d in documents for s in d["Statement"] for a in s["Action"]}
    needed = {p for cls in CONNECTORS for p in cls.meta.permissions}
    assert granted == needed
    for action in granted:
        assert ACTION.match(action), action
        verb = action.split(":", 1)[1]
        assert not verb.startswith(WRITE_VERBS), f"{action} is not read-only"
    for document in documents:
        assert len(json.dumps(document, separators=(",", ":"))) <= MANAGED_POLICY_LIMIT
        assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in document["Statement"])


def test_catalogue_lists_every_type_with_metadata() -> None:
    catalogue = resource_catalogue(CONNECTORS)
    assert [row["resource_type"] for row in catalogue] == CONNECTORS.types()
    assert len(catalogue) >= 45
    assert len({row["service"] for row in catalogue}) >= 18
    for row in catalogue:
        assert row["permissions"], row["resource_type"]
        assert row["scope"] in ("global", "regional")
        assert row["description"], f"{row['resource_type']} has no docstring"


async def test_resources_endpoints(inventory: Any) -> None:
    types = (await inventory.client.get("/resources")).json()["items"]
    assert [t["resource_type"] for t in types] == ["aws.s3.bucket"]  # the app's own registry
    policies = (await inventory.client.get("/resources/iam-policy")).json()["policies"]
    assert policies[0]["Statement"][0]["Action"][0].startswith("s3:")
