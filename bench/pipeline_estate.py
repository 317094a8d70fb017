"""A synthetic estate for the pipeline benchmark: mixed asset types, and what it should open.

Every asset's configuration is built from the shipped pack's own examples, which are shaped as
the inventory's connectors emit them: for each enabled policy of the asset's type, one of its
passing examples (most assets) or failing examples (``FAIL_SHARE`` of them) is merged in, then
the identity fields the connector sets (ARN, id, name, region, tags) are written over it. The
assets are spread over ``ACCOUNTS`` and ``REGIONS``.

What the estate should open is not assumed: ``expected_failures`` evaluates every asset with the
assessor's own catalog (the shipped pack, loaded as the assessor loads it), so the count the
benchmark waits for is exactly what the assessor must produce.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pacbot.assessor.frameworks.mappings import load_pack
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.assessor.policies.service import PolicyCatalog
from pacbot.assessor.settings import SHIPPED_PACKS
from pacbot.common.events import AssetSummary, AssetUpserted, Envelope
from pacbot.common.frameworks import shipped_catalogue
from pacbot.inventory.discovery.events import config_hash

ACCOUNTS = tuple(f"{100000000000 + 1111 * i:012d}" for i in range(1, 7))
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
FAIL_SHARE = 0.2
"""The share of (asset, policy) pairs built from a failing example."""

Identity = Callable[[str, str, str], dict[str, Any]]
"""(account, region, unique name) -> the identity fields the connector writes."""


def _bucket(account: str, region: str, name: str) -> dict[str, Any]:
    return {"Name": name, "Arn": f"arn:aws:s3:::{name}", "Region": region}


def _ec2(resource: str, id_field: str, prefix: str) -> Identity:
    """The identity of an EC2 resource: its id, the Name tag's value, an ARN of ``resource``."""

    def identity(account: str, region: str, name: str) -> dict[str, Any]:
        resource_id = f"{prefix}-{name}"
        arn = f"arn:aws:ec2:{region}:{account}:{resource}/{resource_id}"
        fields = {id_field: resource_id, "Name": name, "OwnerId": account, "Arn": arn}
        if resource == "security-group":
            fields["GroupName"] = name
        return fields

    return identity


def _user(account: str, region: str, name: str) -> dict[str, Any]:
    return {"UserName": name, "Arn": f"arn:aws:iam::{account}:user/{name}"}


def _db_instance(account: str, region: str, name: str) -> dict[str, Any]:
    return {
        "DBInstanceIdentifier": name,
        "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{name}",
    }


def _key(account: str, region: str, name: str) -> dict[str, Any]:
    return {
        "KeyId": name,
        "Arn": f"arn:aws:kms:{region}:{account}:key/{name}",
        "AWSAccountId": account,
        "KeyManager": "CUSTOMER",
    }


@dataclass(frozen=True)
class AssetType:
    """One resource type of the estate: its identity fields, ARN field and share of assets."""

    resource_type: str
    identity: Identity
    arn_field: str
    weight: int


TYPES = (
    AssetType("aws.s3.bucket", _bucket, "Arn", 20),
    AssetType("aws.ec2.security_group", _ec2("security-group", "GroupId", "sg"), "Arn", 15),
    AssetType("aws.ec2.instance", _ec2("instance", "InstanceId", "i"), "Arn", 15),
    AssetType("aws.ec2.volume", _ec2("volume", "VolumeId", "vol"), "Arn", 20),
    AssetType("aws.iam.user", _user, "Arn", 10),
    AssetType("aws.rds.instance", _db_instance, "DBInstanceArn", 10),
    AssetType("aws.kms.key", _key, "Arn", 10),
)


def catalog() -> PolicyCatalog:
    """The assessor's catalog of the shipped pack, loaded as the assessor service loads it."""
    return PolicyCatalog(load_pack([SHIPPED_PACKS], shipped_catalogue()))


def enabled_by_type(policies: Sequence[CompiledPolicy]) -> dict[str, list[CompiledPolicy]]:
    """The enabled policies of each resource type (what a fresh registry enables)."""
    by_type: dict[str, list[CompiledPolicy]] = defaultdict(list)
    for policy in policies:
        if policy.document.enabled:
            by_type[policy.document.resource].append(policy)
    return by_type


@dataclass(frozen=True)
class Asset:
    """One synthetic asset: what inventory would store and emit for it."""

    summary: AssetSummary
    config: dict[str, Any]


def _config(
    kind: AssetType,
    policies: Sequence[CompiledPolicy],
    rng: random.Random,
    account: str,
    region: str,
    name: str,
    tags: dict[str, str],
) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for policy in policies:
        examples = policy.document.examples
        failing = examples.failing and rng.random() < FAIL_SHARE
        pool = examples.failing if failing else examples.passing
        if pool:
            config.update(rng.choice(pool))
    config.update(kind.identity(account, region, name))
    config["Region"] = region
    config["Tags"] = tags
    return config


def estate(run_id: str, size: int, by_type: dict[str, list[CompiledPolicy]]) -> list[Asset]:
    """``size`` assets of every type in ``TYPES`` (by weight), over the accounts and regions;
    the same ``run_id`` and ``size`` always give the same estate."""
    rng = random.Random(f"{run_id}:{size}")
    kinds = [kind for kind in TYPES for _ in range(kind.weight)]
    assets = []
    for i in range(size):
        kind = kinds[i % len(kinds)]
        account, region = ACCOUNTS[i % len(ACCOUNTS)], REGIONS[(i // len(ACCOUNTS)) % len(REGIONS)]
        name = f"bench-{run_id}-{i:07d}"
        tags = {"Owner": f"team-{i % 17:02d}@example.com", "Environment": ("prod", "dev")[i % 2]}
        config = _config(kind, by_type[kind.resource_type], rng, account, region, name, tags)
        summary = AssetSummary(
            asset_id=config[kind.arn_field],
            account_id=account,
            region=region,
            resource_type=kind.resource_type,
            name=name,
            tags=tags,
            owner=tags["Owner"],
        )
        assets.append(Asset(summary, config))
    return assets


def expected_failures(
    assets: Sequence[Asset], by_type: dict[str, list[CompiledPolicy]]
) -> dict[str, int]:
    """The failing (asset, policy) pairs per resource type: each opens one violation."""
    failures: dict[str, int] = defaultdict(int)
    for asset in assets:
        kind = asset.summary.resource_type
        for policy in by_type[kind]:
            if policy.evaluate(asset.config).status == "fail":
                failures[kind] += 1
    return dict(failures)


def upserted(asset: Asset, seen: datetime) -> Envelope:
    """``asset.upserted`` for version 1 of the asset, wrapped as the inventory wraps it."""
    data = AssetUpserted(
        asset=asset.summary,
        version=1,
        config=asset.config,
        config_hash=config_hash(asset.config),
        discovered_at=seen,
    )
    return Envelope.wrap(data, source="inventory", subject=asset.summary.asset_id)


def search_documents(assets: Sequence[Asset], seen: datetime) -> Iterator[dict[str, Any]]:
    """What inventory hands its search backend for each asset (``search_fields``)."""
    for asset in assets:
        s = asset.summary
        yield {
            "asset_id": s.asset_id,
            "account_id": s.account_id,
            "region": s.region,
            "resource_type": s.resource_type,
            "name": s.name,
            "tags": dict(s.tags),
            "deleted": False,
            "version": 1,
            "updated_at": seen.isoformat(),
        }
