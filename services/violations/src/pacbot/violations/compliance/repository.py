"""Reads behind the compliance figures: from the tallies when they can answer, else counted
from the raw rows (and cached until results or violations change).

The session says how: the app's session factory marks its sessions and carries the cache
(``aggregates.maintenance.TAG_KEYS``, ``aggregates.cache.FIGURES_CACHE``); a session without
them is counted from the raw rows. The tallies answer for the tag keys and asset groups they
were built for (``tally_state.tag_keys`` and ``groups``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.violations.aggregates.cache import FIGURES_CACHE, FiguresCache
from pacbot.violations.aggregates.cells import ALL, Groups, group_rules
from pacbot.violations.aggregates.maintenance import STATE_ID, TAG_KEYS
from pacbot.violations.aggregates.reads import Dimension, dimension_of, from_tallies
from pacbot.violations.compliance.recount import recounted
from pacbot.violations.compliance.scope import Constraints, Scope
from pacbot.violations.compliance.tally import PolicyTally, Tally
from pacbot.violations.models import ResultTally, TallyState

__all__ = ["PolicyTally", "Tally", "scoped_accounts", "tallies_by", "tally_scope"]


@dataclass(frozen=True)
class Built:
    """What the tallies were built for: tracked tag keys and asset groups."""

    tag_keys: tuple[str, ...]
    groups: Groups

    def dimension(self, scope: Constraints) -> Dimension | None:
        """The cells that answer ``scope`` (None: count the raw rows)."""
        return dimension_of(scope, self.tag_keys, self.groups)


async def tallies_by(
    session: AsyncSession, scope: Constraints, by: str | None = None
) -> dict[str, Tally]:
    """The scope's tallies, one per value of ``by`` (account_id, region, resource_type), or
    one keyed "" without it."""
    if scope.empty:
        return {}
    # An app session reads the tallies, for the tag keys they were built for (not the keys this
    # process was configured with: during a rolling change of them they may differ).
    built = await built_tallies(session) if TAG_KEYS in session.info else None
    dimension = built.dimension(scope) if built is not None else None
    if dimension is not None:
        return await from_tallies(session, scope, dimension, by)
    cache = session.info.get(FIGURES_CACHE)
    if not isinstance(cache, FiguresCache):
        return await recounted(session, scope, by)
    return await cache.get(
        session, f"recount|{by}|{scope.fingerprint()}", lambda: recounted(session, scope, by)
    )


async def built_tallies(session: AsyncSession) -> Built | None:
    """The tag keys and groups the tallies hold (None before their first build)."""
    row = (
        await session.execute(
            select(TallyState.tag_keys, TallyState.groups).where(TallyState.id == STATE_ID)
        )
    ).first()
    if row is None or row.tag_keys is None:
        return None
    return Built(tuple(row.tag_keys), group_rules(row.groups))


async def tally_scope(session: AsyncSession, scope: Scope) -> Tally:
    """Results and violations of the scope's live assets.

    A failure is exempted when its violation is currently exempted.
    """
    return (await tallies_by(session, scope.constraints())).get("", Tally())


async def scoped_accounts(session: AsyncSession) -> list[str]:
    """Accounts that have live results (each gets its own daily snapshot)."""
    rows = await session.scalars(
        select(ResultTally.account_id)
        .distinct()
        .where(ResultTally.tag_key == "", ResultTally.account_id != ALL)
        .order_by(ResultTally.account_id)
    )
    return list(rows.all())
