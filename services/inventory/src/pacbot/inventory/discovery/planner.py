"""Which sweeps to run: onboarded accounts (or the caller's own), by region and connector."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.aws import AccountAccess
from pacbot.common.runtime import Runtime
from pacbot.common.web import Conflict, DomainError, NotFound
from pacbot.inventory.connectors import ConnectorRegistry
from pacbot.inventory.discovery.sweep import SweepTarget
from pacbot.inventory.models import Account
from pacbot.inventory.settings import InventorySettings

log = logging.getLogger("pacbot.inventory.planner")


class SweepPlanner:
    """Expands a scan request into sweep targets."""

    def __init__(
        self, runtime: Runtime, registry: ConnectorRegistry, settings: InventorySettings
    ) -> None:
        self.runtime = runtime
        self.registry = registry
        self.settings = settings
        self._own_account: str | None = settings.default_account_id
        self._enabled_regions: dict[str, list[str]] = {}

    async def own_account(self) -> str:
        """The account swept when none is onboarded: configured, else the caller's (STS)."""
        if self._own_account is None:
            self._own_account = await asyncio.to_thread(self.runtime.aws.caller_account)
        return self._own_account

    async def accounts(self, session: AsyncSession, account_id: str | None) -> list[Account]:
        """The accounts to sweep; a transient row for the caller's own when none is onboarded."""
        onboarded = list(await session.scalars(select(Account).order_by(Account.account_id)))
        if not onboarded:
            own = await self.own_account()
            onboarded = [Account(account_id=own, name="default", regions=None, enabled=True)]
        if account_id is None:
            return onboarded
        chosen = [a for a in onboarded if a.account_id == account_id]
        if not chosen:
            raise NotFound(f"account {account_id} is not onboarded", field="account_id")
        return chosen

    async def enabled_regions(self, access: AccountAccess) -> list[str]:
        """The regions enabled for the account (opted-in or not requiring opt-in), cached."""
        if access.account_id not in self._enabled_regions:
            ec2 = self.runtime.aws.client("ec2", access=access)
            answer = await asyncio.to_thread(ec2.describe_regions, AllRegions=False)
            self._enabled_regions[access.account_id] = sorted(
                r["RegionName"] for r in answer["Regions"]
            )
        return self._enabled_regions[access.account_id]

    async def regions(self, account: Account, access: AccountAccess) -> list[str]:
        """The account's own list, else the configured one, else its enabled regions.

        When the account cannot even be asked (its role fails), its sweeps still run in the
        default region so that each one fails on record with the AWS error.
        """
        if account.regions or self.settings.regions:
            return list(account.regions or self.settings.regions or [])
        try:
            return await self.enabled_regions(access)
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "cannot list the account's regions",
                extra={"account_id": access.account_id, "error": str(exc)},
            )
            return [self.settings.aws_region]

    def resource_types(self, requested: Sequence[str] | None) -> list[str]:
        """The requested types, checked against the registry; all of them when none requested."""
        known = self.registry.types()
        if not requested:
            return known
        unknown = sorted(set(requested) - set(known))
        if unknown:
            raise DomainError(
                f"no connector for {unknown}; known resource types: {known}",
                field="resource_types",
            )
        return sorted(set(requested))

    async def targets(
        self,
        session: AsyncSession,
        account_id: str | None = None,
        resource_types: Sequence[str] | None = None,
    ) -> list[SweepTarget]:
        """Every (account, region, type) to sweep; global types once per account."""
        types = self.resource_types(resource_types)
        planned: list[SweepTarget] = []
        for account in await self.accounts(session, account_id):
            if not account.enabled:
                if account_id is not None:
                    raise Conflict(f"account {account_id} is disabled", field="account_id")
                continue
            access = AccountAccess(account.account_id, account.role_arn, account.external_id)
            regions = await self.regions(account, access)
            for resource_type in types:
                meta = self.registry.get(resource_type).meta
                if meta.scope == "global":
                    planned.append(SweepTarget(access, "global", resource_type, tuple(regions)))
                else:
                    planned.extend(
                        SweepTarget(access, r, resource_type, tuple(regions)) for r in regions
                    )
        return planned
