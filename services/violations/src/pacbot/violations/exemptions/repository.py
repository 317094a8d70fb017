"""The exceptions projection, and which active exception covers an (asset, policy).

Coverage is decided by ``pacbot.common.coverage.covers`` (the one shared rule). Lookups are
cheap on the hot path: resource exceptions are found through their asset index in SQL, and the
candidates of a set of assets are loaded once per event (``coverage_for``), not per result.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.coverage import covers
from pacbot.common.events import AssetSummary, ExceptionChanged, ExceptionCriteria
from pacbot.violations.models import ExceptionAsset, ExceptionProjection, as_utc

GRANTED = "pacbot.exception.granted"
ENDED = {"pacbot.exception.revoked": "revoked", "pacbot.exception.expired": "expired"}


async def record_exception(session: AsyncSession, event: ExceptionChanged) -> bool:
    """Apply a grant, revocation or expiry to the projection; True when it changed something.

    Requests, rejections and expiry warnings change nothing here. An ended exception never
    becomes active again, so a late or replayed grant after its revocation is ignored; a
    duplicate grant or end is ignored too.
    """
    granted = event.event_type == GRANTED
    if not granted and event.event_type not in ENDED:
        return False
    row = await session.get(ExceptionProjection, event.exception_id, with_for_update=True)
    if row is None:
        session.add(
            ExceptionProjection(
                exception_id=event.exception_id,
                kind=event.kind,
                asset_ids=list(event.asset_ids),
                policy_ids=list(event.policy_ids),
                criteria=event.criteria.model_dump(mode="json") if event.criteria else None,
                expires_at=event.expires_at,
                active=granted,
                changed_at=event.occurred_at,
            )
        )
        if event.kind == "resource":
            session.add_all(
                ExceptionAsset(exception_id=event.exception_id, asset_id=asset_id)
                for asset_id in dict.fromkeys(event.asset_ids)
            )
        return granted
    if not row.active:
        return False
    if granted:
        if event.expires_at == as_utc(row.expires_at):
            return False
        row.expires_at = max(event.expires_at, as_utc(row.expires_at))  # an extension
    else:
        row.active = False
    row.changed_at = max(event.occurred_at, as_utc(row.changed_at))
    return True


@dataclass(frozen=True)
class ActiveException:
    """An active exception, parsed once for repeated ``covers`` checks."""

    exception_id: str
    kind: str
    asset_ids: tuple[str, ...]
    policy_ids: tuple[str, ...]
    criteria: ExceptionCriteria | None
    expires_at: datetime

    @classmethod
    def of(cls, row: ExceptionProjection) -> ActiveException:
        """Parse a projection row."""
        return cls(
            exception_id=row.exception_id,
            kind=row.kind,
            asset_ids=tuple(row.asset_ids),
            policy_ids=tuple(row.policy_ids),
            criteria=ExceptionCriteria.model_validate(row.criteria) if row.criteria else None,
            expires_at=as_utc(row.expires_at),
        )

    def covers(self, asset: AssetSummary, policy_id: str, at: datetime) -> bool:
        """Unexpired at ``at`` and covering (asset, policy) by the shared rule."""
        return self.expires_at > at and covers(
            kind=self.kind,
            asset_ids=self.asset_ids,
            policy_ids=self.policy_ids,
            criteria=self.criteria,
            asset=asset,
            policy_id=policy_id,
        )


@dataclass(frozen=True)
class Coverage:
    """The active exceptions that can cover some set of assets, loaded in one query."""

    candidates: tuple[ActiveException, ...]

    def covering(
        self, asset: AssetSummary, policy_id: str, at: datetime, *, excluding: str | None = None
    ) -> str | None:
        """The canonical covering exception: the one lasting longest (ties: the greatest id).

        Canonical, not "the one already applied", so the outcome does not depend on the order
        in which evaluations arrived.
        """
        covering = [
            c
            for c in self.candidates
            if c.exception_id != excluding and c.covers(asset, policy_id, at)
        ]
        if not covering:
            return None
        return max(covering, key=lambda c: (c.expires_at, c.exception_id)).exception_id

    def still_covers(
        self, exception_id: str, asset: AssetSummary, policy_id: str, at: datetime
    ) -> bool:
        """True when ``exception_id`` is among the candidates and covers (asset, policy)."""
        return any(
            c.exception_id == exception_id and c.covers(asset, policy_id, at)
            for c in self.candidates
        )


async def coverage_for(session: AsyncSession, asset_ids: Collection[str]) -> Coverage:
    """Every active sticky exception, and the active resource ones naming any of ``asset_ids``."""
    named = select(ExceptionAsset.exception_id).where(ExceptionAsset.asset_id.in_(asset_ids))
    rows = await session.scalars(
        select(ExceptionProjection)
        .where(
            ExceptionProjection.active.is_(True),
            or_(ExceptionProjection.kind == "sticky", ExceptionProjection.exception_id.in_(named)),
        )
        .order_by(ExceptionProjection.exception_id)
    )
    return Coverage(tuple(ActiveException.of(row) for row in rows))
