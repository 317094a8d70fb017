"""``GET /compliance/frameworks/{framework_id}``: each control of a framework in a scope.

Which policies judge which control is the assessor's to say (``GET /frameworks/{id}``, asked
over HTTP and kept :data:`MAPPING_TTL_SECONDS`); each policy's figures are the compliance
summary's (``tally_scope`` + ``summarise``) for the same scope. The status rules are in
docs/contracts.md ("Framework compliance"):

- ``fail``: a mapped policy has a failing asset in scope;
- ``pass``: none fails, and at least one has a pass or fail result in scope;
- ``not_evaluated``: no mapped policy, or none has a pass or fail result in scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ValidationError

from pacbot.common.frameworks import ControlOut, FrameworkDetail, MappedPolicy
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.runtime import Runtime
from pacbot.common.web import AppRuntime, DbSession, DomainError, NotFound
from pacbot.violations.compliance.repository import tally_scope
from pacbot.violations.compliance.schemas import PolicyCompliance, Weights
from pacbot.violations.compliance.scope import resolve_group, scope_of
from pacbot.violations.compliance.service import compliance_pct, summarise
from pacbot.violations.settings import ViolationsSettings

MAPPING_TTL_SECONDS = 30.0
"""How long the assessor's mapping of a framework is reused (policy packs change on deploy)."""
Status = Literal["pass", "fail", "not_evaluated"]


class AssessorUnavailable(DomainError):
    """The assessor cannot say which policies judge the framework now (503, retry later)."""

    status_code = 503


class FrameworkMappings:
    """The assessor's framework mappings, each fetched at most once per ``ttl`` seconds."""

    def __init__(
        self, ttl: float = MAPPING_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._kept: dict[str, tuple[float, FrameworkDetail]] = {}

    async def get(self, runtime: Runtime, framework_id: str) -> FrameworkDetail:
        """The mapping of ``framework_id`` (404 unknown, 503 when the assessor cannot answer)."""
        kept = self._kept.get(framework_id)
        now = self._clock()
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        mapping = await fetch_mapping(runtime.service("assessor"), framework_id)
        self._kept[framework_id] = (now, mapping)
        return mapping


async def fetch_mapping(client: httpx.AsyncClient, framework_id: str) -> FrameworkDetail:
    """Every page of the assessor's ``GET /frameworks/{framework_id}``."""
    path = f"/frameworks/{quote(framework_id, safe='')}"
    params: dict[str, str] = {"limit": str(MAX_LIMIT)}
    mapping: FrameworkDetail | None = None
    for _ in range(100):  # 100 pages of 1000 controls: far beyond any framework
        try:
            response = await client.get(path, params=params)
        except httpx.TransportError as exc:
            raise AssessorUnavailable(
                f"the assessor is unreachable ({type(exc).__name__}), so the controls of "
                f"{framework_id!r} and their policies are unknown; try again later"
            ) from exc
        if response.status_code == 404:
            raise NotFound(f"no framework {framework_id!r}", field="framework_id")
        if response.status_code != 200:
            raise AssessorUnavailable(
                f"the assessor answered {response.status_code} for framework {framework_id!r}"
            )
        try:
            page = FrameworkDetail.model_validate_json(response.content)
        except ValidationError as exc:
            raise AssessorUnavailable(
                f"the assessor sent framework {framework_id!r} in an unknown shape"
            ) from exc
        if mapping is None:
            mapping = page
        else:
            mapping.items.extend(page.items)
        if page.next_cursor is None:
            return mapping
        params = {"limit": str(MAX_LIMIT), "cursor": page.next_cursor}
    raise AssessorUnavailable(f"the assessor kept paging framework {framework_id!r}")


def get_mappings(request: Request) -> FrameworkMappings:
    """The mapping cache the app was built with."""
    mappings: FrameworkMappings = request.app.state.framework_mappings
    return mappings


def get_weights(runtime: AppRuntime) -> Weights:
    """The severity and category weights of this service's settings (as the summary's)."""
    settings = runtime.settings
    assert isinstance(settings, ViolationsSettings)
    return Weights(severity=settings.severity_weights, category=settings.category_weights)


# --- the answer


class ControlPolicy(BaseModel):
    """A mapped policy's figures in scope (as in the compliance summary; zeros when unseen)."""

    policy_id: str
    name: str
    severity: str
    category: str
    enabled: bool
    evaluated: int
    passing: int
    failing: int
    exempted: int
    unknown: int
    compliance_pct: float | None


class ControlCompliance(BaseModel):
    """One control's status; the counts add up its policies' results (asset x policy)."""

    control_id: str
    title: str
    section: str
    subsection: str | None
    profile: str | None
    manual: bool
    status: Status
    evaluated: int
    passing: int
    failing: int
    unknown: int
    policies: list[ControlPolicy]


class FrameworkCompliance(BaseModel):
    """A framework's controls in a scope; the counts cover every control, ``items`` one page."""

    framework_id: str
    name: str
    version: str
    scope: str
    exempted_as_passing: bool
    controls: int
    passing: int
    failing: int
    not_evaluated: int
    compliance_pct: float | None
    items: list[ControlCompliance]
    total: int
    next_cursor: str | None = None


def control_policy(mapped: MappedPolicy, figures: PolicyCompliance | None) -> ControlPolicy:
    """A mapped policy with its figures; a policy without results in scope has none."""
    return ControlPolicy(
        policy_id=mapped.policy_id,
        name=figures.name if figures else mapped.name,
        severity=figures.severity if figures else mapped.severity,
        category=figures.category if figures else mapped.category,
        enabled=mapped.enabled,
        evaluated=figures.evaluated if figures else 0,
        passing=figures.passing if figures else 0,
        failing=figures.failing if figures else 0,
        exempted=figures.exempted if figures else 0,
        unknown=figures.unknown if figures else 0,
        compliance_pct=figures.compliance_pct if figures else None,
    )


def control_status(policies: list[ControlPolicy]) -> Status:
    """fail if any fails; pass if none fails and one has a decided result; else not evaluated."""
    if any(p.failing for p in policies):
        return "fail"
    if any(p.evaluated for p in policies):
        return "pass"
    return "not_evaluated"


def control_compliance(
    control: ControlOut, figures: dict[str, PolicyCompliance]
) -> ControlCompliance:
    """One control's status and counts from its policies' figures."""
    policies = [control_policy(p, figures.get(p.policy_id)) for p in control.policies]
    return ControlCompliance(
        control_id=control.control_id,
        title=control.title,
        section=control.section,
        subsection=control.subsection,
        profile=control.profile,
        manual=not control.automated,
        status=control_status(policies),
        evaluated=sum(p.evaluated for p in policies),
        passing=sum(p.passing for p in policies),
        failing=sum(p.failing for p in policies),
        unknown=sum(p.unknown for p in policies),
        policies=policies,
    )


# --- the route

router = APIRouter(prefix="/compliance", tags=["compliance"])
Controls = Annotated[PageRequest, paging(500, MAX_LIMIT)]  # one page holds a framework
Many = Query()


@router.get(
    "/frameworks/{framework_id}",
    response_model=FrameworkCompliance,
    responses={
        404: {"description": "no such framework (`field: framework_id`) or asset group"},
        503: {"description": "the assessor (mapping) or the inventory (group) cannot answer"},
    },
)
async def framework_compliance(
    framework_id: str,
    session: DbSession,
    runtime: AppRuntime,
    weights: Annotated[Weights, Depends(get_weights)],
    mappings: Annotated[FrameworkMappings, Depends(get_mappings)],
    page: Controls,
    account_id: Annotated[list[str] | None, Many] = None,
    region: Annotated[list[str] | None, Many] = None,
    resource_type: Annotated[list[str] | None, Many] = None,
    tag: Annotated[list[str] | None, Query(description="KEY=VALUE (or KEY:VALUE)")] = None,
    group: Annotated[str | None, Query(description="an inventory asset group")] = None,
    exempted_as_passing: bool = False,
    status: Annotated[list[Status] | None, Query(description="only controls in these")] = None,
) -> FrameworkCompliance:
    """Each control of a framework: pass, fail or not evaluated in the scope, with its policies."""
    scope = scope_of(account_id or (), region or (), resource_type or (), tag or (), group)
    mapping = await mappings.get(runtime, framework_id)
    scope = await resolve_group(runtime, scope)
    summary = summarise(
        await tally_scope(session, scope),
        weights,
        scope=scope.key(),
        exempted_as_passing=exempted_as_passing,
    )
    figures = {p.policy_id: p for p in summary.policies}
    controls = [control_compliance(c, figures) for c in mapping.items]
    counts = {s: sum(1 for c in controls if c.status == s) for s in ("pass", "fail")}
    shown = [c for c in controls if not status or c.status in status]
    query = (framework_id, summary.scope, exempted_as_passing, sorted(set(status or ())))
    rows, next_cursor = page.window("violations.framework-compliance", query).of(shown)
    return FrameworkCompliance(
        framework_id=mapping.framework_id,
        name=mapping.name,
        version=mapping.version,
        scope=summary.scope,
        exempted_as_passing=exempted_as_passing,
        controls=len(controls),
        passing=counts["pass"],
        failing=counts["fail"],
        not_evaluated=len(controls) - counts["pass"] - counts["fail"],
        compliance_pct=compliance_pct(counts["pass"], counts["pass"] + counts["fail"]),
        items=rows,
        total=len(shown),
        next_cursor=next_cursor,
    )
