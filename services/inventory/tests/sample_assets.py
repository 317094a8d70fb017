"""Six current assets (and one deleted) written straight to the inventory database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pacbot.common.db import Database
from pacbot.inventory.models import Asset

NAMES = ["alpha-logs", "alpha-data", "beta-site", "gamma-archive", "delta-web", "epsilon-db"]


def rows() -> list[Asset]:
    """Six current assets with Environment/Owner tags, and one deleted one."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    found = []
    for i, name in enumerate([*NAMES, "gone"]):
        tags = {"Environment": ["prod", "dev", "prod", "test", "prod", "dev", "prod"][i]}
        if i % 2 == 0:
            tags["Owner"] = "team-a"
        found.append(
            Asset(
                asset_id=f"arn:aws:s3:::{name}",
                account_id="111111111111" if i % 2 else "222222222222",
                region=["us-east-1", "eu-west-1"][i % 2],
                resource_type="aws.s3.bucket" if i < 4 else "aws.ec2.instance",
                name=name,
                tags=tags,
                owner=None,
                config={},
                config_hash="0" * 64,
                version=1,
                deleted=name == "gone",
                first_seen=now,
                last_seen=now + timedelta(hours=i),
                deleted_at=now if name == "gone" else None,
            )
        )
    return found


async def seed(db: Database) -> None:
    async with db.session() as session:
        session.add_all(rows())
