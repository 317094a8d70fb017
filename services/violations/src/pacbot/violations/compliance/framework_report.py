"""A framework's controls in a scope: each control's status from its mapped policies' figures
(the rules are ``framework_status``'s, docs/contracts.md "Framework compliance"), and the failing
resources and exceptions behind it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.frameworks import FrameworkDetail
from pacbot.violations.compliance.findings import Listed, failing_results
from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ExemptedResource,
    FailingResource,
    FrameworkCompliance,
    Status,
)
from pacbot.violations.compliance.framework_status import control_compliance, framework_compliance
from pacbot.violations.compliance.repository import tally_scope
from pacbot.violations.compliance.schemas import Weights
from pacbot.violations.compliance.scope import Scope
from pacbot.violations.compliance.service import summarise


@dataclass(frozen=True)
class FrameworkQuery:
    """What a caller asked of a framework: the scope (group resolved), how exemptions count,
    which statuses to keep (none: all) and how many failing resources to list per control."""

    scope: Scope
    exempted_as_passing: bool = False
    status: tuple[Status, ...] = ()
    resource_limit: int = 20

    def fingerprint(self, framework_id: str) -> tuple[object, ...]:
        """What the list of controls depends on (the paging cursor's query)."""
        return (framework_id, self.scope.key(), self.exempted_as_passing, sorted(self.status))


async def assess_framework(
    session: AsyncSession, mapping: FrameworkDetail, weights: Weights, query: FrameworkQuery
) -> FrameworkCompliance:
    """Every control of the framework (``items``: those of the asked statuses, no resources yet)
    and the totals over all of them."""
    summary = summarise(
        await tally_scope(session, query.scope),
        weights,
        scope=query.scope.key(),
        exempted_as_passing=query.exempted_as_passing,
    )
    figures = {p.policy_id: p for p in summary.policies}
    return framework_compliance(
        mapping,
        [control_compliance(c, figures) for c in mapping.items],
        scope=summary.scope,
        exempted_as_passing=query.exempted_as_passing,
        resource_limit=query.resource_limit,
        status=query.status,
    )


def _merged(parts: list[Listed], cap: int) -> tuple[list[FailingResource], int]:
    rows = sorted(
        (row for part in parts for row in part.rows),
        key=lambda r: (r.account_id, r.region, r.asset_id, r.policy_id),
    )[:cap]
    return rows, sum(part.total for part in parts) - len(rows)


async def with_resources(
    session: AsyncSession, query: FrameworkQuery, controls: list[ControlCompliance]
) -> list[ControlCompliance]:
    """``controls`` with their failing resources and exceptions in scope, at most
    ``query.resource_limit`` of each per control (one query for all of them)."""
    policy_ids = {p.policy_id for c in controls for p in c.policies}
    cap = query.resource_limit
    found = await failing_results(session, query.scope.constraints(), policy_ids, cap)
    filled: list[ControlCompliance] = []
    for control in controls:
        mine = [found[p.policy_id] for p in control.policies if p.policy_id in found]
        failing, failing_rest = _merged([f.open for f in mine], cap)
        exempted, exempted_rest = _merged([f.exempted for f in mine], cap)
        filled.append(
            control.model_copy(
                update={
                    "failing_resources": failing,
                    "failing_not_listed": failing_rest,
                    "exceptions": [r for r in exempted if isinstance(r, ExemptedResource)],
                    "exceptions_not_listed": exempted_rest,
                }
            )
        )
    return filled


async def framework_report(
    session: AsyncSession, mapping: FrameworkDetail, weights: Weights, query: FrameworkQuery
) -> FrameworkCompliance:
    """The whole report: every control of the asked statuses with its resources."""
    report = await assess_framework(session, mapping, weights, query)
    report.items = await with_resources(session, query, report.items)
    return report
