"""What a requested exception would exempt today: the open violations the coverage rule admits.

The violations service is asked for open violations narrowed by what it can filter on (policy,
asset, account, region, resource type); ``pacbot.common.coverage.covers`` then decides, with
tags and name patterns, exactly as the violations service will once the exception is granted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from pacbot.common.coverage import covers
from pacbot.common.events import ALL_POLICIES, AssetSummary
from pacbot.common.runtime import Runtime
from pacbot.exceptions.grants.peers import peer_get
from pacbot.exceptions.grants.validation import ValidRequest

PAGE = 1000
ASSET_CHUNK = 50


class CoveredViolation(BaseModel):
    """An open violation the exception would exempt."""

    violation_id: str
    asset_id: str
    asset_name: str
    account_id: str
    region: str
    resource_type: str
    policy_id: str
    severity: str


class Preview(BaseModel):
    """The open violations covered now (at most ``limit``; ``truncated`` when there are more)."""

    items: list[CoveredViolation]
    truncated: bool


def _queries(valid: ValidRequest) -> Iterator[list[tuple[str, str]]]:
    """The narrowest listings of open violations that hold every candidate."""
    base = [("status", "open"), ("limit", str(PAGE))]
    if ALL_POLICIES not in valid.policy_ids:
        base += [("policy_id", policy_id) for policy_id in valid.policy_ids]
    if valid.criteria is None:
        for start in range(0, len(valid.asset_ids), ASSET_CHUNK):
            chunk = valid.asset_ids[start : start + ASSET_CHUNK]
            yield base + [("asset_id", asset_id) for asset_id in chunk]
        return
    criteria = valid.criteria
    yield (
        base
        + [("account_id", a) for a in criteria.accounts]
        + [("region", r) for r in criteria.regions]
        + [("resource_type", t) for t in criteria.resource_types]
    )


def _covered(valid: ValidRequest, violation: dict[str, Any]) -> bool:
    asset = AssetSummary(
        asset_id=violation["asset_id"],
        account_id=violation["account_id"],
        region=violation["region"],
        resource_type=violation["resource_type"],
        name=violation.get("asset_name") or "",
        tags=violation.get("tags") or {},
    )
    return covers(
        kind=valid.kind,
        asset_ids=valid.asset_ids,
        policy_ids=valid.policy_ids,
        criteria=valid.criteria,
        asset=asset,
        policy_id=violation["policy_id"],
    )


async def preview(runtime: Runtime, valid: ValidRequest, *, limit: int) -> Preview:
    """Page through the candidate open violations and keep those the exception covers."""
    client = runtime.service("violations")
    found: dict[str, CoveredViolation] = {}
    for query in _queries(valid):
        cursor: str | None = None
        while True:
            params = query + ([("cursor", cursor)] if cursor else [])
            page = await peer_get(client, "violations", "/violations", params=params)
            for violation in page.get("items", []):
                if _covered(valid, violation):
                    if len(found) == limit:
                        return Preview(items=list(found.values()), truncated=True)
                    found[violation["violation_id"]] = CoveredViolation.model_validate(violation)
            cursor = page.get("next_cursor")
            if not cursor or not page.get("items"):
                break
    return Preview(items=list(found.values()), truncated=False)
