"""Assessment benchmark: condition evaluations per second in-process, on one core.

A synthetic inventory is built from the shipped pack's own examples (each example config copied
with a varied name and tags until every resource type has ASSETS_PER_TYPE assets); every enabled
policy is evaluated against every asset of its type, REPEATS times (default 5), and the rate
per CPU-second of this process is reported as min / median / max. Run with `make bench-evaluate`.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import defaultdict
from typing import Any

from bench.results import Figure, record
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


def timed_pass(
    inventory: dict[str, list[dict[str, Any]]], by_type: dict[str, list[Any]]
) -> tuple[float, float, int, dict[str, int]]:
    """One full pass: every enabled policy of a type against every asset of that type.

    Each call is a real evaluation of that config (nothing is cached across assets); the
    statuses are counted so every outcome is consumed.
    """
    statuses: dict[str, int] = defaultdict(int)
    evaluations = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for resource, configs in inventory.items():
        policies = by_type[resource]
        for config in configs:
            for policy in policies:
                statuses[policy.evaluate(config).status] += 1
            evaluations += len(policies)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return wall, cpu, evaluations, dict(statuses)


def main() -> None:
    """Load the pack, evaluate everything once to warm up, then time REPEATS full passes."""
    report = load_policies([SHIPPED_PACKS])
    policies = [p for p in report.policies if p.document.enabled]
    per_type = int(os.environ.get("ASSETS_PER_TYPE", "2000"))
    repeats = int(os.environ.get("REPEATS", "5"))
    inventory = synthetic_inventory(policies, per_type)
    by_type: dict[str, list[Any]] = defaultdict(list)
    for policy in policies:
        by_type[policy.document.resource].append(policy)
    for resource, configs in inventory.items():  # warm-up
        for policy in by_type[resource]:
            policy.evaluate(configs[0])
    assets = sum(len(c) for c in inventory.values())
    print(f"policies {len(policies)} over {len(inventory)} resource types; assets {assets}")
    print("rate = evaluations / process CPU seconds (time.process_time: user+sys of this")
    print("single-threaded process), so other load on a shared machine does not count")
    rates = []
    first: dict[str, int] | None = None
    for run in range(1, repeats + 1):
        wall, cpu, evaluations, statuses = timed_pass(inventory, by_type)
        if first is None:
            first = statuses
        assert statuses == first, "every pass must reach the same verdicts"
        rates.append(evaluations / cpu)
        print(
            f"pass {run}: {evaluations} evaluations in {wall:.2f}s wall / {cpu:.2f}s CPU"
            f" => {rates[-1]:,.0f} per CPU-second"
        )
    print(
        f"=> condition evaluations per CPU-second (one core): min {min(rates):,.0f}"
        f" / median {statistics.median(rates):,.0f} / max {max(rates):,.0f}"
    )
    print("statuses per pass: " + ", ".join(f"{k} {v}" for k, v in sorted((first or {}).items())))
    if report.errors:
        print(f"(skipped {len(report.errors)} policies that did not load)")
    # no target is documented for in-process evaluation: the figures are for information
    record(
        "evaluate",
        [
            Figure(
                "condition evaluations per CPU-second (median)",
                statistics.median(rates),
                "evals/s",
                better="higher",
            ),
            Figure(
                "condition evaluations per CPU-second (min)", min(rates), "evals/s", better="higher"
            ),
        ],
        {
            "policies": len(policies),
            "assets": assets,
            "repeats": repeats,
            "statuses": first or {},
            "rates": rates,
        },
    )


if __name__ == "__main__":
    main()
