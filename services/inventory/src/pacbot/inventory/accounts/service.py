"""Onboarding: prove the role can be assumed into the right account before storing it."""

from __future__ import annotations

import asyncio

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.common.events import utcnow
from pacbot.common.web import Conflict, DomainError
from pacbot.inventory.accounts.schemas import AccountCreate
from pacbot.inventory.discovery.sweep import describe_error
from pacbot.inventory.models import Account


def _assumed_account(aws: AwsSessionFactory, access: AccountAccess) -> str:
    """Assume the role and ask STS who we are now."""
    sts = aws.session(access).client("sts", endpoint_url=aws.endpoint_url, config=aws.config)
    return str(sts.get_caller_identity()["Account"])


async def validate_role(aws: AwsSessionFactory, body: AccountCreate) -> None:
    """A 4xx carrying the AWS error when the role cannot be assumed or lands elsewhere."""
    if body.role_arn is None:
        return
    access = AccountAccess(body.account_id, body.role_arn, body.external_id)
    try:
        landed = await asyncio.to_thread(_assumed_account, aws, access)
    except (ClientError, ParamValidationError) as exc:
        message = f"cannot assume {body.role_arn}: {describe_error(exc)}"
        raise DomainError(message, field="role_arn", status_code=422) from exc
    except BotoCoreError as exc:
        raise DomainError(
            f"cannot reach AWS STS: {describe_error(exc)}", field="role_arn", status_code=502
        ) from exc
    if landed != body.account_id:
        raise DomainError(
            f"{body.role_arn} belongs to account {landed}, not {body.account_id}",
            field="role_arn",
            status_code=422,
        )


async def onboard(session: AsyncSession, aws: AwsSessionFactory, body: AccountCreate) -> Account:
    """Store a new account after validating its role; 409 when it is already onboarded."""
    if await session.get(Account, body.account_id) is not None:
        raise Conflict(f"account {body.account_id} is already onboarded", field="account_id")
    await validate_role(aws, body)
    account = Account(
        account_id=body.account_id,
        name=body.name,
        role_arn=body.role_arn,
        external_id=body.external_id,
        regions=body.regions,
        created_at=utcnow(),
    )
    session.add(account)
    await session.flush()
    return account


async def list_accounts(session: AsyncSession) -> list[Account]:
    """Every onboarded account, by id."""
    return list(await session.scalars(select(Account).order_by(Account.account_id)))
