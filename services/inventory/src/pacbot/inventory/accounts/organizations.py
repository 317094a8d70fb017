"""Onboard the member accounts of an AWS Organization through one cross-account role name."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AwsSessionFactory
from pacbot.common.web import DomainError
from pacbot.inventory.accounts import service
from pacbot.inventory.accounts.schemas import (
    AccountCreate,
    ImportFailure,
    OrganizationImport,
    OrganizationResult,
)
from pacbot.inventory.discovery.sweep import describe_error
from pacbot.inventory.models import Account


def _members(aws: AwsSessionFactory) -> tuple[str, list[dict[str, Any]]]:
    """The management account's id and every ACTIVE member account."""
    org = aws.client("organizations")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    members: list[dict[str, Any]] = []
    for page in org.get_paginator("list_accounts").paginate():
        members.extend(a for a in page["Accounts"] if a.get("Status") == "ACTIVE")
    return str(management), members


async def import_organization(
    session: AsyncSession, aws: AwsSessionFactory, body: OrganizationImport
) -> OrganizationResult:
    """Onboard each active member (the management account with the service's own credentials)."""
    try:
        management, members = await asyncio.to_thread(_members, aws)
    except Exception as exc:
        raise DomainError(
            f"cannot list the organization's accounts: {describe_error(exc)}", status_code=422
        ) from exc
    result = OrganizationResult(onboarded=[], already_onboarded=[], failed=[])
    for member in sorted(members, key=lambda m: m["Id"]):
        account_id = str(member["Id"])
        if await session.get(Account, account_id) is not None:
            result.already_onboarded.append(account_id)
            continue
        own = account_id == management
        request = AccountCreate(
            account_id=account_id,
            name=str(member.get("Name") or account_id),
            role_arn=None if own else f"arn:aws:iam::{account_id}:role/{body.role_name}",
            external_id=None if own else body.external_id,
            regions=body.regions,
        )
        try:
            await service.onboard(session, aws, request, source="organizations")
        except DomainError as exc:
            result.failed.append(ImportFailure(account_id=account_id, error=exc.message))
        else:
            result.onboarded.append(account_id)
    return result
