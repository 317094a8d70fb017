"""Onboarding: prove the role can be assumed into the right account before storing it."""

from __future__ import annotations

import asyncio

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.common.events import utcnow
from pacbot.common.web import Conflict, DomainError, NotFound
from pacbot.inventory.accounts.schemas import AccountCreate, AccountUpdate
from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.sweep import describe_error
from pacbot.inventory.models import Account


class RoleInvalid(DomainError):
    """The role cannot be assumed, or lands in another account."""

    status_code = 422


def _landed_account(aws: AwsSessionFactory, access: AccountAccess) -> str:
    """Assume the role (if any) and ask STS which account the credentials act in."""
    sts = aws.session(access).client("sts", endpoint_url=aws.endpoint_url, config=aws.config)
    return str(sts.get_caller_identity()["Account"])


async def check_access(aws: AwsSessionFactory, access: AccountAccess) -> None:
    """Raise ``RoleInvalid`` with the AWS error unless the credentials act in that account."""
    try:
        landed = await asyncio.to_thread(_landed_account, aws, access)
    except (ClientError, ParamValidationError) as exc:
        who = access.role_arn or "the service's own credentials"
        raise RoleInvalid(f"cannot assume {who}: {describe_error(exc)}", field="role_arn") from exc
    except BotoCoreError as exc:
        raise DomainError(
            f"cannot reach AWS STS: {describe_error(exc)}", field="role_arn", status_code=502
        ) from exc
    if landed != access.account_id:
        who = access.role_arn or "the service's own credentials"
        raise RoleInvalid(
            f"{who} act in account {landed}, not {access.account_id}", field="role_arn"
        )


def _access(account: Account | AccountCreate) -> AccountAccess:
    return AccountAccess(account.account_id, account.role_arn, account.external_id)


async def onboard(
    session: AsyncSession, aws: AwsSessionFactory, body: AccountCreate, *, source: str = "manual"
) -> Account:
    """Store a new account after validating its access; 409 when it is already onboarded."""
    if await session.get(Account, body.account_id) is not None:
        raise Conflict(f"account {body.account_id} is already onboarded", field="account_id")
    await check_access(aws, _access(body))
    now = utcnow()
    account = Account(
        account_id=body.account_id,
        name=body.name,
        role_arn=body.role_arn,
        external_id=body.external_id,
        regions=body.regions,
        created_at=now,
        enabled=True,
        status="valid",
        validated_at=now,
        source=source,
    )
    session.add(account)
    await session.flush()
    return account


async def get(session: AsyncSession, account_id: str) -> Account:
    """One onboarded account, or 404."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} is not onboarded", field="account_id")
    return account


async def reached_as(session: AsyncSession, planner: SweepPlanner, account_id: str) -> Account:
    """The account as discovery reaches it: onboarded, or, while none is, the service's own
    (a transient row without a role, exactly what the sweeps use); 404 for any other id."""
    try:
        swept = await planner.accounts(session, None)
    except (BotoCoreError, ClientError) as exc:
        raise DomainError(
            f"cannot ask AWS STS for the service's own account: {describe_error(exc)}",
            field="account_id",
            status_code=502,
        ) from exc
    account = next((a for a in swept if a.account_id == account_id), None)
    if account is None:
        raise NotFound(f"account {account_id} is not onboarded", field="account_id")
    return account


async def update(session: AsyncSession, account_id: str, body: AccountUpdate) -> Account:
    """Enable, disable, rename or re-region an account; a disabled account is never swept."""
    account = await get(session, account_id)
    for field in ("enabled", "name", "regions"):
        value = getattr(body, field)
        if value is not None:
            setattr(account, field, value)
    await session.flush()
    return account


async def revalidate(session: AsyncSession, aws: AwsSessionFactory, account_id: str) -> Account:
    """Check the account's access again and record the outcome (valid, or invalid and why)."""
    account = await get(session, account_id)
    try:
        await check_access(aws, _access(account))
    except RoleInvalid as exc:
        account.status, account.validation_error = "invalid", exc.message
    else:
        account.status, account.validation_error = "valid", None
    account.validated_at = utcnow()
    await session.flush()
    return account


async def list_accounts(session: AsyncSession, *, limit: int, offset: int) -> list[Account]:
    """Onboarded accounts by id, ``limit`` of them after the first ``offset``."""
    query = select(Account).order_by(Account.account_id).limit(limit).offset(offset)
    return list(await session.scalars(query))
