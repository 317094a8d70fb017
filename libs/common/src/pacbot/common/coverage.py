"""Which (asset, policy) pairs an exception covers: one pure rule for every service.

The exceptions service uses it to preview a request ("what would this exempt?"); the
violations service uses it to decide whether a failure opens or is exempted. Keeping the
rule here is what makes a sticky exception cover an asset discovered after the grant the
same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from pacbot.common.events import ALL_POLICIES, AssetSummary, ExceptionChanged, ExceptionCriteria
from pacbot.common.search import matches


def criteria_match(criteria: ExceptionCriteria, asset: AssetSummary) -> bool:
    """True when ``asset`` meets every non-empty field of ``criteria``."""
    if not matches(
        criteria.model_dump(include={"accounts", "regions", "resource_types", "tags"}), asset
    ):
        return False
    patterns = criteria.name_patterns
    return not patterns or any(
        fnmatchcase(asset.name, pattern) or fnmatchcase(asset.asset_id, pattern)
        for pattern in patterns
    )


def policy_covered(policy_ids: Sequence[str], policy_id: str) -> bool:
    """True when the exception's policy list names ``policy_id`` or is ``["*"]``."""
    return ALL_POLICIES in policy_ids or policy_id in policy_ids


def covers(
    *,
    kind: str,
    asset_ids: Sequence[str],
    policy_ids: Sequence[str],
    criteria: ExceptionCriteria | None,
    asset: AssetSummary,
    policy_id: str,
) -> bool:
    """True when an exception of this shape exempts ``policy_id`` on ``asset``."""
    if not policy_covered(policy_ids, policy_id):
        return False
    if kind == "sticky":
        return criteria is not None and criteria_match(criteria, asset)
    return asset.asset_id in asset_ids


def event_covers(event: ExceptionChanged, asset: AssetSummary, policy_id: str) -> bool:
    """``covers`` for the exception an event describes."""
    return covers(
        kind=event.kind,
        asset_ids=event.asset_ids,
        policy_ids=event.policy_ids,
        criteria=event.criteria,
        asset=asset,
        policy_id=policy_id,
    )
