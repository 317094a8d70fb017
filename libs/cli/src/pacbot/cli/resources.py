"""`pacbot resources`: the supported resource types, and the IAM policy discovery needs."""

from __future__ import annotations

import json

from pacbot.inventory.connectors import CONNECTORS
from pacbot.inventory.connectors._iam import read_only_policies, resource_catalogue


def show(what: str, output: str) -> int:
    """Print the catalogue or the policy, as a table or JSON."""
    if what == "iam-policy":
        policies = read_only_policies(CONNECTORS)
        print(json.dumps(policies[0] if len(policies) == 1 else policies, indent=2))
        return 0
    catalogue = resource_catalogue(CONNECTORS)
    if output == "json":
        print(json.dumps(catalogue, indent=2))
        return 0
    services = {row["service"] for row in catalogue}
    print(f"{len(catalogue)} resource types across {len(services)} AWS services\n")
    print(f"{'resource type':<36} {'scope':<9} {'permissions':>11}")
    for row in catalogue:
        print(f"{row['resource_type']:<36} {row['scope']:<9} {len(row['permissions']):>11}")
    return 0
