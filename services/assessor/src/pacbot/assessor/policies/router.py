"""``/policies``: the registry (list, filter, change, history), load errors and what-if."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.assessor.policies import repository
from pacbot.assessor.policies.loader import PolicyError
from pacbot.assessor.policies.reconcile import removal_of
from pacbot.assessor.policies.registry import PolicyPatchSpec, change_policy, request_replay
from pacbot.assessor.policies.schemas import (
    PolicyChangeOut,
    PolicyDetail,
    PolicyErrorList,
    PolicyErrorOut,
    PolicyHistory,
    PolicyList,
    PolicyOut,
    PolicyPatch,
    PolicyPatchResult,
    ReplayOut,
    WhatIfOut,
)
from pacbot.assessor.policies.service import PolicyCatalog, PolicyFilter
from pacbot.assessor.policies.whatif import MAX_DRAFT_BYTES, compare, parse_draft, read_draft
from pacbot.common.auth import Principal, require
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import AppRuntime, DbSession, NotFound

log = logging.getLogger("pacbot.assessor.policies")


def get_catalog(request: Request) -> PolicyCatalog:
    """The catalog the app was built with."""
    catalog: PolicyCatalog = request.app.state.catalog
    return catalog


Catalog = Annotated[PolicyCatalog, Depends(get_catalog)]
Policies = Annotated[PageRequest, paging(500, MAX_LIMIT)]  # one page holds the shipped packs
Errors = Annotated[PageRequest, paging(MAX_LIMIT, MAX_LIMIT)]
Changes = Annotated[PageRequest, paging(100, MAX_LIMIT)]
router = APIRouter(prefix="/policies", tags=["policies"])

_DRAFT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A draft policy: YAML text, or the document as a JSON object.",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.get("", response_model=PolicyList)
async def list_policies(
    session: DbSession,
    catalog: Catalog,
    page: Policies,
    resource: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    framework: Annotated[
        str | None, Query(description="a framework (cis-aws-3.0) or control (cis-aws-3.0:2.1.4)")
    ] = None,
    enabled: bool | None = None,
    q: Annotated[str | None, Query(description="every word in id, name or description")] = None,
) -> PolicyList:
    """Policies that loaded, by id, with their enabled state; each given filter must match."""
    where = PolicyFilter(resource, severity, category, framework, enabled, q)
    states = [a for a in await catalog.states(session) if where.matches(a)]
    states.sort(key=lambda a: a.policy.id)
    shown, next_cursor = page.window("assessor.policies", where).of(states)
    return PolicyList(
        items=[PolicyOut.of(a, catalog.grace_override) for a in shown],
        total=len(states),
        next_cursor=next_cursor,
    )


@router.get("/errors", response_model=PolicyErrorList)
async def list_policy_errors(catalog: Catalog, page: Errors) -> PolicyErrorList:
    """Policy files that were rejected at load, each with file, line and path."""
    errors, next_cursor = page.window("assessor.policy-errors").of(catalog.errors)
    return PolicyErrorList(items=[PolicyErrorOut.of(e) for e in errors], next_cursor=next_cursor)


def _invalid_draft(error: PolicyError) -> JSONResponse:
    return JSONResponse(
        {
            "error": "PolicyInvalid",
            "detail": str(error),
            "field": error.path,
            "errors": [PolicyErrorOut.of(error).model_dump()],
        },
        status_code=422,
    )


@router.post(
    "/whatif",
    response_model=WhatIfOut,
    openapi_extra=_DRAFT_BODY,
    responses={
        413: {"description": f"the draft is over {MAX_DRAFT_BYTES} bytes (`DraftTooLarge`)"},
        422: {"description": "the draft is not a valid policy (file, line, path)"},
    },
)
async def what_if(
    request: Request,
    session: DbSession,
    runtime: AppRuntime,
    catalog: Catalog,
    file: Annotated[str, Query(description="the draft's file name, used in messages")] = "draft",
) -> Any:
    """Evaluate a draft policy against the current inventory; nothing is stored or emitted.

    Parsing and evaluation run in a worker thread, so a large draft never stalls other calls.
    """
    body = await read_draft(request)
    content_type = request.headers.get("content-type", "")
    draft = await asyncio.to_thread(parse_draft, body, content_type, file or "draft")
    if isinstance(draft, PolicyError):
        return _invalid_draft(draft)
    existing = await catalog.state(session, draft.id)
    report = await compare(runtime, draft, existing)
    return WhatIfOut.model_validate(report, from_attributes=True)


class PolicyRemoved(NotFound):
    """The registry knew this policy, but no loaded pack defines it any more (404)."""


async def _not_found(session: AsyncSession, policy_id: str) -> NotFound:
    """404 either way: ``PolicyRemoved`` (when and where its audit is) or plain unknown."""
    removal = await removal_of(session, policy_id)
    if removal is None:
        return NotFound(f"no policy {policy_id!r}", field="policy_id")
    return PolicyRemoved(
        f"policy {policy_id!r} was removed from the pack (recorded at "
        f"{removal.changed_at.isoformat()}); its audit stays at /policies/{policy_id}/history",
        field="policy_id",
    )


_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such policy (`NotFound`), or removed from the pack (`PolicyRemoved`)"}
}


@router.get("/{policy_id}", response_model=PolicyDetail, responses=_NOT_FOUND)
async def get_policy(policy_id: str, session: DbSession, catalog: Catalog) -> PolicyDetail:
    """One policy by id, with its effective params and registry revision."""
    active = await catalog.state(session, policy_id)
    if active is None:
        raise await _not_found(session, policy_id)
    return PolicyDetail.detail(active, catalog.grace_override)


@router.patch("/{policy_id}", response_model=PolicyPatchResult, responses=_NOT_FOUND)
async def patch_policy(
    policy_id: str,
    body: PolicyPatch,
    runtime: AppRuntime,
    catalog: Catalog,
    caller: Annotated[Principal, require("admin")],
) -> PolicyPatchResult:
    """Enable, disable or re-parameterise a policy (admin); audited, announced, then replayed."""
    spec = PolicyPatchSpec(
        changed_by=caller.subject, enabled=body.enabled, params=body.params, reason=body.reason
    )
    async with runtime.db.session() as session:  # commits before inventory is asked to replay
        if catalog.get(policy_id) is None:
            raise await _not_found(session, policy_id)
        outcome = await change_policy(session, catalog, runtime.outbox, policy_id, spec)
    if outcome.change is None:
        replay = ReplayOut(status="skipped", replayed=None, error=None)
        change = None
    else:
        resource = outcome.active.policy.document.resource
        replay = ReplayOut.of(await request_replay(runtime, [resource]))
        change = PolicyChangeOut.of(outcome.change)
        log.info(
            "policy changed",
            extra={
                "policy_id": policy_id,
                "revision": outcome.change.revision,
                "changed_by": caller.subject,
                "replay": replay.status,
            },
        )
    return PolicyPatchResult(
        policy=PolicyDetail.detail(outcome.active, catalog.grace_override),
        change=change,
        replay=replay,
    )


@router.get("/{policy_id}/history", response_model=PolicyHistory)
async def policy_history(policy_id: str, session: DbSession, page: Changes) -> PolicyHistory:
    """The audited changes of one policy, newest first; a removed policy keeps its history."""
    row = await repository.state(session, policy_id)
    if row is None:
        raise NotFound(f"no policy {policy_id!r}", field="policy_id")
    window = page.window("assessor.policy-history", policy_id)
    rows, next_cursor = window.page(
        await repository.changes_of(session, policy_id, window.fetch, window.start)
    )
    return PolicyHistory(
        policy_id=policy_id,
        revision=row.revision or 0,
        items=[PolicyChangeOut.of(r) for r in rows],
        next_cursor=next_cursor,
    )
