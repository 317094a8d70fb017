"""A synthetic estate for ``bench.api``, written straight into the services' PostgreSQL tables.

Assets spread over 20 accounts, 4 regions and the 30 resource types with the most shipped
policies; tags Name, Owner (40 teams), Environment, Application (12 apps) and CostCenter. Each
asset has a result for every shipped policy of its type, padded with bench-only policies to
:data:`RESULTS_PER_ASSET` per asset, so 100k assets give >= 1M results. A failing result has a
violation (some exempted); some passing ones have a closed one. 29 days of snapshots give the
trend a history. Rows go in with COPY; the tallies are then rebuilt by the service's own
command and the search index by the inventory's.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.events import PolicyRef

ACCOUNTS = [f"1000000000{n:02d}" for n in range(20)]
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1")
ENVIRONMENTS = (("prod", 5), ("staging", 2), ("dev", 3))
APPLICATIONS = [
    "payments",
    "checkout",
    "search",
    "analytics",
    "identity",
    "catalog",
    "billing",
    "mobile-api",
    "reporting",
    "inventory",
    "shipping",
    "support",
]
TEAMS = [f"team-{n:02d}@example.com" for n in range(40)]
TYPES = 30
RESULTS_PER_ASSET = 11
SEVERITIES = ("critical", "high", "medium", "low")
CATEGORIES = ("security", "governance", "cost", "tagging", "operations")
SINGLETONS = (  # one per account and region, not 3,000 of them
    "aws.account.posture",
    "aws.iam.password_policy",
    "aws.iam.account_summary",
    "aws.ec2.ebs_encryption_default",
    "aws.config.recorder",
    "aws.guardduty.detector",
)
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Policy:
    """A policy the results name: its reference and how often it fails."""

    ref: PolicyRef
    fail_rate: float

    @property
    def json(self) -> str:
        return self.ref.model_dump_json()


def policies_by_type(rng: random.Random) -> dict[str, list[Policy]]:
    """The shipped policies of the 30 richest types, padded to RESULTS_PER_ASSET each."""
    shipped: dict[str, list[PolicyRef]] = {}
    for compiled in load_policies([SHIPPED_PACKS]).policies:
        shipped.setdefault(compiled.document.resource, []).append(compiled.ref())
    ranked = sorted(
        (t for t in shipped if t not in SINGLETONS), key=lambda t: (-len(shipped[t]), t)
    )
    chosen: dict[str, list[Policy]] = {}
    for resource_type in ranked[:TYPES]:
        refs = shipped[resource_type][:RESULTS_PER_ASSET]
        for n in range(len(refs), RESULTS_PER_ASSET):
            refs.append(
                PolicyRef(
                    policy_id=f"bench-{resource_type.replace('.', '-')}-{n}",
                    name=f"Bench check {n} of {resource_type}",
                    severity=SEVERITIES[n % 4],  # type: ignore[arg-type]
                    category=CATEGORIES[n % 5],  # type: ignore[arg-type]
                )
            )
        chosen[resource_type] = [
            Policy(ref, rng.choice((0.01, 0.03, 0.05, 0.08, 0.12))) for ref in refs
        ]
    return chosen


@dataclass(frozen=True)
class Asset:
    """One synthetic asset."""

    asset_id: str
    account_id: str
    region: str
    resource_type: str
    name: str
    tags: dict[str, str]

    @property
    def owner(self) -> str:
        return self.tags["Owner"]

    def summary(self) -> str:
        return json.dumps(
            {
                "asset_id": self.asset_id,
                "account_id": self.account_id,
                "region": self.region,
                "resource_type": self.resource_type,
                "name": self.name,
                "tags": self.tags,
                "owner": self.owner,
            }
        )


def assets(count: int, types: list[str], rng: random.Random) -> Iterator[Asset]:
    """``count`` assets, deterministic for a seed."""
    environments = [e for e, weight in ENVIRONMENTS for _ in range(weight)]
    for i in range(count):
        resource_type = types[i % len(types)]
        application = rng.choice(APPLICATIONS)
        environment = rng.choice(environments)
        account = ACCOUNTS[rng.randrange(len(ACCOUNTS))]
        region = REGIONS[rng.randrange(len(REGIONS))]
        short = resource_type.split(".", 1)[1].replace(".", "-")
        name = f"{application}-{environment}-{short}-{i:06d}"
        yield Asset(
            asset_id=f"arn:aws:{short}:{region}:{account}:{name}",
            account_id=account,
            region=region,
            resource_type=resource_type,
            name=name,
            tags={
                "Name": name,
                "Owner": TEAMS[APPLICATIONS.index(application) * 3 % len(TEAMS) + rng.randrange(3)],
                "Environment": environment,
                "Application": application,
                "CostCenter": f"cc-{APPLICATIONS.index(application) % 5}",
            },
        )


def violation_id(asset_id: str, policy_id: str) -> str:
    """As the violations service derives it."""
    return "v-" + hashlib.sha256(f"{asset_id}|{policy_id}".encode()).hexdigest()[:20]


INVENTORY_COLUMNS = [
    "asset_id", "account_id", "region", "resource_type", "name", "tags", "owner", "config",
    "config_hash", "version", "deleted", "first_seen", "last_seen", "deleted_at",
]  # fmt: skip
RESULT_COLUMNS = [
    "asset_id", "policy_id", "asset_version", "status", "reason", "evidence", "account_id",
    "region", "resource_type", "asset_name", "policy_name", "severity", "category", "asset",
    "policy", "owner", "tags", "deleted", "evaluated_at", "verdict_version", "verdict_at",
]  # fmt: skip
VIOLATION_COLUMNS = [
    "violation_id", "asset_id", "policy_id", "account_id", "region", "resource_type",
    "asset_name", "policy_name", "severity", "category", "asset", "policy", "status", "reason",
    "close_reason", "exception_id", "episode", "sequence", "owner", "tags", "asset_version",
    "opened_at", "updated_at", "closed_at", "timeline",
]  # fmt: skip
SNAPSHOT_COLUMNS = [
    "day", "scope", "overall_pct", "evaluated_assets", "open", "exempted", "figures", "taken_at",
]  # fmt: skip


def _status(policy: Policy, rng: random.Random) -> str:
    roll = rng.random()
    if roll < policy.fail_rate:
        return "fail"
    if roll < policy.fail_rate + 0.004:
        return "error"
    if roll < policy.fail_rate + 0.05:
        return "not_applicable"
    return "pass"


def _violation(asset: Asset, policy: Policy, status: str, rng: random.Random) -> tuple[Any, ...]:
    opened = NOW - timedelta(days=rng.uniform(0.1, 180))
    updated = opened + (NOW - opened) * rng.random()
    closed = updated if status == "closed" else None
    exception_id = f"exc-{rng.randrange(500):03d}" if status == "exempted" else None
    timeline = [{"at": opened.isoformat(), "event": "opened", "detail": "it fails"}]
    if status != "open":
        event = {"exempted": "exempted", "closed": "closed"}[status]
        timeline.append({"at": updated.isoformat(), "event": event, "detail": event})
    return (
        violation_id(asset.asset_id, policy.ref.policy_id), asset.asset_id,
        policy.ref.policy_id, asset.account_id, asset.region, asset.resource_type, asset.name,
        policy.ref.name, policy.ref.severity, policy.ref.category, asset.summary(), policy.json,
        status, f"{policy.ref.name}: it fails", "fixed" if status == "closed" else None,
        exception_id, 1, len(timeline), asset.owner, json.dumps(asset.tags), 1, opened,
        updated, closed, json.dumps(timeline),
    )  # fmt: skip


@dataclass
class Loaded:
    """What was written."""

    assets: int = 0
    results: int = 0
    violations: Counter[str] | None = None
    policies: int = 0
    snapshots: int = 0


async def load(postgres_dsn: str, count: int, seed: int = 11) -> Loaded:
    """Write the estate into the inventory's and the violations service's tables (migrated)."""
    rng = random.Random(seed)
    catalogue = policies_by_type(rng)
    loaded = Loaded(violations=Counter(), policies=sum(len(p) for p in catalogue.values()))
    conn = await asyncpg.connect(postgres_dsn)
    try:
        inventory_rows: list[tuple[Any, ...]] = []
        result_rows: list[tuple[Any, ...]] = []
        violation_rows: list[tuple[Any, ...]] = []

        async def flush(final: bool = False) -> None:
            if len(result_rows) >= 100_000 or final:
                await conn.copy_records_to_table(
                    "assets", records=inventory_rows, columns=INVENTORY_COLUMNS,
                    schema_name="inventory",
                )  # fmt: skip
                await conn.copy_records_to_table(
                    "results", records=result_rows, columns=RESULT_COLUMNS,
                    schema_name="violations",
                )  # fmt: skip
                await conn.copy_records_to_table(
                    "violations", records=violation_rows, columns=VIOLATION_COLUMNS,
                    schema_name="violations",
                )  # fmt: skip
                inventory_rows.clear()
                result_rows.clear()
                violation_rows.clear()

        for asset in assets(count, list(catalogue), rng):
            seen = NOW - timedelta(days=rng.uniform(1, 400))
            config = {"Name": asset.name, "Arn": asset.asset_id, "Tags": asset.tags}
            config_text = json.dumps(config, sort_keys=True)
            inventory_rows.append(
                (
                    asset.asset_id,
                    asset.account_id,
                    asset.region,
                    asset.resource_type,
                    asset.name,
                    json.dumps(asset.tags),
                    asset.owner,
                    config_text,
                    hashlib.sha256(config_text.encode()).hexdigest(),
                    1,
                    False,
                    seen,
                    NOW,
                    None,
                )
            )
            summary, tags = asset.summary(), json.dumps(asset.tags)
            evaluated = NOW - timedelta(hours=rng.uniform(0, 24))
            for policy in catalogue[asset.resource_type]:
                status = _status(policy, rng)
                decided = status in ("pass", "fail")
                result_rows.append(
                    (
                        asset.asset_id,
                        policy.ref.policy_id,
                        1,
                        status,
                        f"{policy.ref.name}: {status}",
                        '{"checked": "bench"}',
                        asset.account_id,
                        asset.region,
                        asset.resource_type,
                        asset.name,
                        policy.ref.name,
                        policy.ref.severity,
                        policy.ref.category,
                        summary,
                        policy.json,
                        asset.owner,
                        tags,
                        False,
                        evaluated,
                        1 if decided else None,
                        evaluated if decided else None,
                    )
                )
                kind = None
                if status == "fail":
                    kind = "exempted" if rng.random() < 0.12 else "open"
                elif status == "pass" and rng.random() < 0.012:
                    kind = "closed"
                if kind:
                    violation_rows.append(_violation(asset, policy, kind, rng))
                    loaded.violations[kind] += 1
                loaded.results += 1
            loaded.assets += 1
            await flush()
        await flush(final=True)
        loaded.snapshots = await _snapshots(conn, rng)
    finally:
        await conn.close()
    return loaded


async def _snapshots(conn: asyncpg.Connection, rng: random.Random) -> int:
    """29 days of history for ``all`` and each account (today is the service's to take)."""
    rows = []
    for scope in ["all", *(f"account:{a}" for a in ACCOUNTS)]:
        pct = rng.uniform(78, 88)
        for back in range(29, 0, -1):
            pct = min(99.0, max(50.0, pct + rng.uniform(-0.8, 1.0)))
            day = (NOW - timedelta(days=back)).date()
            taken = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=23)
            figures = json.dumps({"scope": scope, "overall_pct": pct})
            opened = rng.randrange(2000, 3000) if scope != "all" else rng.randrange(45000, 50000)
            rows.append((day, scope, pct, 5000, opened, opened // 8, figures, taken))
    await conn.copy_records_to_table(
        "compliance_snapshots", records=rows, columns=SNAPSHOT_COLUMNS, schema_name="violations"
    )
    return len(rows)
