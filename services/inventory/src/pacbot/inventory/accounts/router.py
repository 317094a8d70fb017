"""HTTP surface of onboarded accounts."""

from __future__ import annotations

from fastapi import APIRouter

from pacbot.common.web import AppRuntime, DbSession
from pacbot.inventory.accounts import service
from pacbot.inventory.accounts.schemas import AccountCreate, AccountList, AccountOut

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.post("", status_code=201, response_model=AccountOut)
async def create_account(
    body: AccountCreate, session: DbSession, runtime: AppRuntime
) -> AccountOut:
    """Onboard an account; with a role, STS must assume it into that very account."""
    account = await service.onboard(session, runtime.aws, body)
    return AccountOut.model_validate(account)


@router.get("", response_model=AccountList)
async def get_accounts(session: DbSession) -> AccountList:
    """Every onboarded account."""
    accounts = await service.list_accounts(session)
    return AccountList(items=[AccountOut.model_validate(a) for a in accounts])
