"""Assessment benchmark: condition evaluations per second in-process, on one core.

A synthetic inventory is built from the shipped pack's own examples (each example config copied
with a varied name and tags until every resource type has ASSETS_PER_TYPE assets); every enabled
policy is evaluated against every asset of its type. Run with `make bench-evaluate`.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from typing import Any

from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS


def synthetic_inventory(policies: list[Any], per_type: int) -> dict[str, list[dict[str, Any]]]:
    """``per_type`` configs per resource type, cycling through the pack's examples."""
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for policy in policies:
        doc = policy.document
        examples[doc.resource] += [*doc.examples.passing, *doc.examples.failing]
    inventory: dict[str, list[dict[str, Any]]] = {}
    for resource, configs in examples.items():
        inventory[resource] = [
            {**configs[i % len(configs)], "Name": f"asset-{i}", "Tags": {"Owner": f"team-{i % 9}"}}
            for i in range(per_type)
        ]
    return inventory


def main() -> None:
    """Load the pack, evaluate everything once to warm up, then time a full pass."""
    report = load_policies([SHIPPED_PACKS])
    policies = [p for p in report.policies if p.document.enabled]
    per_type = int(os.environ.get("ASSETS_PER_TYPE", "2000"))
    inventory = synthetic_inventory(policies, per_type)
    by_type: dict[str, list[Any]] = defaultdict(list)
    for policy in policies:
        by_type[policy.document.resource].append(policy)
    for resource, configs in inventory.items():  # warm-up
        for policy in by_type[resource]:
            policy.evaluate(configs[0])
    statuses: dict[str, int] = defaultdict(int)
    start = time.perf_counter()
    cpu_start = time.process_time()
    evaluations = 0
    for resource, configs in inventory.items():
        for config in configs:
            for policy in by_type[resource]:
                statuses[policy.evaluate(config).status] += 1
                evaluations += 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assets = sum(len(c) for c in inventory.values())
    print(f"policies {len(policies)} over {len(inventory)} resource types; assets {assets}")
    print(f"evaluations {evaluations} in {wall:.2f}s wall / {cpu:.2f}s CPU (one core)")
    print(f"=> {evaluations / cpu:,.0f} condition evaluations per CPU-second")
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    if report.errors:
        print(f"(skipped {len(report.errors)} policies that did not load)")


if __name__ == "__main__":
    main()
