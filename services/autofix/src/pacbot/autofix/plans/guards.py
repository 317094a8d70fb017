"""The guards a plan passes before it acts; each answers None (go on) or the reason it stops."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.autofix.models import FixPlan, PolicyPause
from pacbot.autofix.settings import AutofixSettings

OFF_VALUES = frozenset({"off", "false", "skip", "no", "disabled", "exclude"})
CREATED_KEYS = (
    "CreationDate",
    "CreateDate",
    "CreatedTime",
    "CreationTime",
    "CreateTime",
    "LaunchTime",
    "InstanceCreateTime",
    "ClusterCreateTime",
    "SnapshotCreateTime",
    "StartTime",
    "creationTime",
)


def allow_list(settings: AutofixSettings, policy_id: str, account_id: str) -> str | None:
    """The policy's account allow-list fails closed: no list, no account."""
    if settings.policy(policy_id) is None:
        return f"autofix is not enabled for policy {policy_id}"
    if not settings.account_allowed(policy_id, account_id):
        return f"account {account_id} is not on the allow-list of policy {policy_id}"
    return None


def exclusion(settings: AutofixSettings, tags: Mapping[str, str]) -> str | None:
    """A resource tagged ``<exclusion_tag>=off`` (or false, skip...) is never changed."""
    value = tags.get(settings.exclusion_tag)
    if value is not None and value.strip().lower() in OFF_VALUES:
        return f"the resource is tagged {settings.exclusion_tag}={value}"
    return None


def created_at(config: Mapping[str, Any]) -> datetime | None:
    """The resource's creation time from its configuration, when it records one."""
    for key in CREATED_KEYS:
        value = config.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
        if isinstance(value, int | float) and value > 0:  # epoch milliseconds (CloudWatch Logs)
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    return None


def cutoff(settings: AutofixSettings, policy_id: str, config: Mapping[str, Any]) -> str | None:
    """With ``created_after`` set, only resources known to be younger are changed."""
    policy = settings.policy(policy_id)
    if policy is None or policy.created_after is None:
        return None
    born = created_at(config)
    if born is None:
        return "the resource's creation time is unknown, and the policy fixes only resources " + (
            f"created after {policy.created_after.isoformat()}"
        )
    if born.tzinfo is None:
        born = born.replace(tzinfo=UTC)
    if born <= policy.created_after:
        return (
            f"the resource was created {born.isoformat()}, before the policy's cutoff "
            f"{policy.created_after.isoformat()}"
        )
    return None


async def active_pause(session: AsyncSession, policy_id: str) -> PolicyPause | None:
    """The policy's pause in force, if any."""
    query = select(PolicyPause).where(
        PolicyPause.policy_id == policy_id, PolicyPause.resumed_at.is_(None)
    )
    return (await session.scalars(query.order_by(PolicyPause.id.desc()))).first()


async def fixes_in_window(
    session: AsyncSession,
    since: datetime,
    policy_id: str,
    *,
    account_id: str | None = None,
    resource_type: str | None = None,
) -> int:
    """Fixes of a policy that changed something (not dry runs, not rollbacks) since ``since``."""
    query = (
        select(func.count())
        .select_from(FixPlan)
        .where(
            FixPlan.policy_id == policy_id,
            FixPlan.kind == "fix",
            FixPlan.dry_run.is_(False),
            FixPlan.applied_at.is_not(None),
            FixPlan.applied_at >= since,
        )
    )
    if account_id is not None:
        query = query.where(FixPlan.account_id == account_id)
    if resource_type is not None:
        query = query.where(FixPlan.resource_type == resource_type)
    return int((await session.scalar(query)) or 0)


async def blast_radius(
    session: AsyncSession,
    settings: AutofixSettings,
    plan: FixPlan,
    now: datetime,
    type_total: int | None,
) -> str | None:
    """Would one more fix cross a cap? ``type_total`` is the account's count of the type."""
    policy = settings.policy(plan.policy_id)
    since = now - timedelta(seconds=settings.blast_window_seconds)
    window = f"{settings.blast_window_seconds:g}s"
    cap = policy.max_resources if policy is not None else None
    if cap is None:
        cap = settings.max_fixes_per_window
    if cap is not None:
        done = await fixes_in_window(session, since, plan.policy_id)
        if done + 1 > cap:
            return f"{done} fixes of {plan.policy_id} in the last {window}; the cap is {cap}"
    percent = policy.max_percent if policy is not None else None
    if percent is not None and type_total is not None:
        done = await fixes_in_window(
            session,
            since,
            plan.policy_id,
            account_id=plan.account_id,
            resource_type=plan.resource_type,
        )
        share = 100.0 * (done + 1) / max(type_total, 1)
        if share > percent:
            return (
                f"one more fix would change {done + 1} of {type_total} {plan.resource_type} in "
                f"account {plan.account_id} ({share:.0f}%) in {window}; the cap is {percent:g}%"
            )
    return None
