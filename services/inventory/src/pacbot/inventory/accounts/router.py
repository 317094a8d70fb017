"""HTTP surface of onboarded accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from pacbot.common.auth import require
from pacbot.common.paging import MAX_LIMIT, PageRequest, paging
from pacbot.common.web import AppRuntime, DbSession
from pacbot.inventory.accounts import organizations, service
from pacbot.inventory.accounts.schemas import (
    AccountAccessOut,
    AccountCreate,
    AccountList,
    AccountOut,
    AccountUpdate,
    OrganizationImport,
    OrganizationResult,
)
from pacbot.inventory.deps import Planner

router = APIRouter(prefix="/accounts", tags=["accounts"])
Accounts = Annotated[PageRequest, paging(MAX_LIMIT, MAX_LIMIT)]  # one page held them all before


@router.post("", status_code=201, response_model=AccountOut, dependencies=[require("admin")])
async def create_account(
    body: AccountCreate, session: DbSession, runtime: AppRuntime
) -> AccountOut:
    """Onboard an account; STS must reach it (through the role, when one is given)."""
    account = await service.onboard(session, runtime.aws, body)
    return AccountOut.of(account)


@router.get("", response_model=AccountList)
async def get_accounts(session: DbSession, page: Accounts) -> AccountList:
    """Onboarded accounts, by id."""
    window = page.window("inventory.accounts")
    rows = await service.list_accounts(session, limit=window.fetch, offset=window.start)
    accounts, next_cursor = window.page(rows)
    return AccountList(items=[AccountOut.of(a) for a in accounts], next_cursor=next_cursor)


@router.post("/organization", response_model=OrganizationResult, dependencies=[require("admin")])
async def import_organization(
    body: OrganizationImport, session: DbSession, runtime: AppRuntime
) -> OrganizationResult:
    """Onboard every active member account of the caller's AWS Organization."""
    return await organizations.import_organization(session, runtime.aws, body)


@router.get("/{account_id}", response_model=AccountOut)
async def get_account(account_id: str, session: DbSession) -> AccountOut:
    """One onboarded account with its validation status."""
    return AccountOut.of(await service.get(session, account_id))


@router.get(
    "/{account_id}/access", response_model=AccountAccessOut, dependencies=[require("service")]
)
async def get_account_access(
    account_id: str, session: DbSession, planner: Planner
) -> AccountAccessOut:
    """Peer services only (autofix): the role ARN and external id to act in the account.

    The same access discovery uses: while no account is onboarded, the service's own account
    with no role. The gateway never forwards this path; the public shape has no external id.
    """
    return AccountAccessOut.of(await service.reached_as(session, planner, account_id))


@router.patch("/{account_id}", response_model=AccountOut, dependencies=[require("admin")])
async def update_account(account_id: str, body: AccountUpdate, session: DbSession) -> AccountOut:
    """Enable or disable discovery of an account, rename it, or change its regions."""
    return AccountOut.of(await service.update(session, account_id, body))


@router.post("/{account_id}/validate", response_model=AccountOut, dependencies=[require("admin")])
async def validate_account(account_id: str, session: DbSession, runtime: AppRuntime) -> AccountOut:
    """Check the account's access again; the result is in ``status`` and ``validation_error``."""
    return AccountOut.of(await service.revalidate(session, runtime.aws, account_id))
