"""The findings summaries, computed from the detector assets in the inventory's own table.

Findings (``aws.inspector2.finding``, ``aws.guardduty.finding``) point at the resource they
concern through one JSON attribute, so both summaries count them in SQL, grouped by severity.
An asset's findings are looked up in every swept account, since the account of a delegated
Inspector or GuardDuty administrator holds its members' findings; the ARN names the account.
Certificates are judged against the clock at read time: expiry moves every day, the
certificate's config does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.inventory.findings.schemas import (
    AssetFindings,
    CertificateExpiry,
    CertificateRollup,
    EstateFindings,
    PatchingRollup,
    PatchState,
    SeverityCounts,
    VulnerabilityCounts,
)
from pacbot.inventory.models import Asset

INSPECTOR = "aws.inspector2.finding"
GUARDDUTY = "aws.guardduty.finding"
MANAGED_INSTANCE = "aws.ssm.managed_instance"
EC2_INSTANCE = "aws.ec2.instance"
ACM = "aws.acm.certificate"
IAM_CERTIFICATE = "aws.iam.server_certificate"
EXPIRY_KEY = {ACM: "NotAfter", IAM_CERTIFICATE: "Expiration"}
_CERTIFICATE_ARN = re.compile(
    r"arn:aws[\w-]*:(acm:[\w-]+:\d{12}:certificate/[\w-]+|iam::\d{12}:server-certificate/\S+)"
)
_EC2_INSTANCE_ARN = re.compile(r"arn:(aws[\w-]*):ec2:([\w-]+):(\d{12}):instance/(\S+)")


def _current(resource_type: str, accounts: Sequence[str]) -> Select[Any]:
    """Non-deleted assets of one type, in ``accounts`` (every account when empty)."""
    query = select().select_from(Asset).where(Asset.resource_type == resource_type)
    query = query.where(Asset.deleted.is_(False))
    return query.where(Asset.account_id.in_(accounts)) if accounts else query


async def _by_severity(
    session: AsyncSession,
    resource_type: str,
    severity: ColumnElement[Any],
    accounts: Sequence[str],
    about: str | None = None,
) -> dict[str, int]:
    """Active findings of one detector by severity label, about one resource when given."""
    query = _current(resource_type, accounts).add_columns(severity, func.count())
    if about is not None:
        arn_key = "resourceArn" if resource_type == INSPECTOR else "ResourceArn"
        query = query.where(Asset.config[arn_key].as_string() == about)
    rows = await session.execute(query.group_by(severity))
    return {str(label or "UNKNOWN"): int(count) for label, count in rows.all()}


async def vulnerabilities(
    session: AsyncSession, accounts: Sequence[str], about: str | None = None
) -> VulnerabilityCounts:
    """Inspector's active vulnerabilities by severity, and how many have a fix."""
    severity = Asset.config["severity"].as_string()
    counts = await _by_severity(session, INSPECTOR, severity, accounts, about)
    fixable = _current(INSPECTOR, accounts).add_columns(func.count())
    fixable = fixable.where(Asset.config["fixAvailable"].as_string() == "YES")
    if about is not None:
        fixable = fixable.where(Asset.config["resourceArn"].as_string() == about)
    return VulnerabilityCounts(
        total=sum(counts.values()),
        by_severity=counts,
        fix_available=int(await session.scalar(fixable) or 0),
    )


async def threats(
    session: AsyncSession, accounts: Sequence[str], about: str | None = None
) -> SeverityCounts:
    """GuardDuty's active findings by severity label."""
    severity = Asset.config["SeverityLabel"].as_string()
    counts = await _by_severity(session, GUARDDUTY, severity, accounts, about)
    return SeverityCounts(total=sum(counts.values()), by_severity=counts)


def managed_instance_id(asset: Asset) -> str | None:
    """The SSM managed instance asset that describes ``asset`` (itself, or its EC2 instance's)."""
    if asset.resource_type == MANAGED_INSTANCE:
        return asset.asset_id
    match = _EC2_INSTANCE_ARN.fullmatch(asset.asset_id)
    if asset.resource_type != EC2_INSTANCE or match is None:
        return None
    partition, region, account, instance = match.groups()
    return f"arn:{partition}:ssm:{region}:{account}:managed-instance/{instance}"


def patch_state(managed: Asset) -> PatchState:
    """A managed instance asset's patch picture."""
    config, state = managed.config, managed.config.get("PatchState") or {}
    return PatchState(
        managed_instance_id=managed.asset_id,
        ping_status=config.get("PingStatus"),
        compliance=config.get("PatchComplianceStatus"),
        missing=state.get("MissingCount"),
        failed=state.get("FailedCount"),
        installed_pending_reboot=state.get("InstalledPendingRebootCount"),
        last_operation=state.get("Operation"),
        last_operation_at=state.get("OperationEndTime"),
    )


def days_left(not_after: str | None, now: datetime) -> int | None:
    """Whole days until ``not_after`` (negative once past); None when there is no end."""
    if not not_after:
        return None
    end = datetime.fromisoformat(not_after.replace("Z", "+00:00"))
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    return int((end - now).total_seconds() // 86400)


def certificate_expiry(
    asset_id: str, resource_type: str, name: str, not_after: str | None, now: datetime, window: int
) -> CertificateExpiry:
    """How long one certificate stays valid, and whether that is within the window."""
    left = days_left(not_after, now)
    return CertificateExpiry(
        certificate_id=asset_id,
        resource_type=resource_type,
        name=name,
        not_after=not_after,
        days_left=left,
        expiring=left is not None and left < window,
    )


def _strings(value: Any) -> Iterator[tuple[str | None, str]]:
    """Every string in a config document with the key it sits under."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield None, item
            else:
                yield from _strings(item)


def certificate_references(config: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Certificate ARNs a config names (listeners, distributions), and IAM certificate ids
    (CloudFront's ``IAMCertificateId``)."""
    arns, iam_ids = set(), set()
    for key, text in _strings(config):
        if key == "IAMCertificateId":
            iam_ids.add(text)
        elif _CERTIFICATE_ARN.fullmatch(text):
            arns.add(text)
    return arns, iam_ids


async def certificates_of(
    session: AsyncSession, asset: Asset, now: datetime, window: int
) -> list[CertificateExpiry]:
    """The certificate itself, or the ACM and IAM certificates the asset's config serves."""
    if asset.resource_type in EXPIRY_KEY:
        found: Iterable[Asset] = [asset]
    else:
        arns, iam_ids = certificate_references(asset.config)
        if not arns and not iam_ids:
            return []
        query = select(Asset).where(Asset.deleted.is_(False))
        by_arn = Asset.asset_id.in_(sorted(arns))
        by_id = (Asset.resource_type == IAM_CERTIFICATE) & (Asset.account_id == asset.account_id)
        by_id = by_id & Asset.config["ServerCertificateId"].as_string().in_(sorted(iam_ids))
        found = await session.scalars(query.where(by_arn | by_id if iam_ids else by_arn))
    return sorted(
        (
            certificate_expiry(
                c.asset_id,
                c.resource_type,
                c.name,
                c.config.get(EXPIRY_KEY[c.resource_type]),
                now,
                window,
            )
            for c in found
            if c.resource_type in EXPIRY_KEY
        ),
        key=lambda c: c.certificate_id,
    )


async def asset_findings(session: AsyncSession, asset: Asset, window: int) -> AssetFindings:
    """Everything the detectors say about one asset, counted from current inventory."""
    now = datetime.now(UTC)
    every_account: list[str] = []  # a delegated administrator's sweep holds members' findings
    managed_id = managed_instance_id(asset)
    managed = await session.get(Asset, managed_id) if managed_id else None
    certificates = await certificates_of(session, asset, now, window)
    return AssetFindings(
        asset_id=asset.asset_id,
        resource_type=asset.resource_type,
        account_id=asset.account_id,
        region=asset.region,
        owner=asset.owner,
        vulnerabilities=await vulnerabilities(session, every_account, asset.asset_id),
        threats=await threats(session, every_account, asset.asset_id),
        patching=patch_state(managed) if managed is not None and not managed.deleted else None,
        certificates=certificates,
        certificates_expiring=sum(c.expiring for c in certificates),
        expiring_days=window,
    )


async def patching_rollup(session: AsyncSession, accounts: Sequence[str]) -> PatchingRollup:
    """Managed instances, how many are behind, and the patches they miss, in one query."""
    missing = Asset.config[("PatchState", "MissingCount")].as_integer()
    failed = Asset.config[("PatchState", "FailedCount")].as_integer()
    ping = Asset.config["PingStatus"].as_string()
    behind = (func.coalesce(missing, 0) > 0) | (func.coalesce(failed, 0) > 0)
    query = _current(MANAGED_INSTANCE, accounts).add_columns(
        func.count(),
        func.sum(case((behind, 1), else_=0)),
        func.sum(case((missing.is_(None), 1), else_=0)),
        func.coalesce(func.sum(missing), 0),
        func.coalesce(func.sum(failed), 0),
        func.sum(case((func.coalesce(ping, "") != "Online", 1), else_=0)),
    )
    row = (await session.execute(query)).one()
    total, non_compliant, never, missed, failures, offline = (int(v or 0) for v in row)
    return PatchingRollup(
        managed_instances=total,
        non_compliant=non_compliant,
        never_reported=never,
        missing_patches=missed,
        failed_patches=failures,
        agents_offline=offline,
    )


async def certificate_rollup(
    session: AsyncSession, accounts: Sequence[str], window: int
) -> CertificateRollup:
    """ACM and IAM certificates with an end date: how many are expired, how many expiring."""
    now, rollup = datetime.now(UTC), CertificateRollup()
    for resource_type, key in EXPIRY_KEY.items():
        end = Asset.config[key].as_string()
        rows = await session.scalars(_current(resource_type, accounts).add_columns(end))
        for left in (days_left(value, now) for value in rows):
            if left is None:
                continue
            rollup.total += 1
            rollup.expired += left < 0
            rollup.expiring += 0 <= left < window
    return rollup


async def estate_findings(
    session: AsyncSession, accounts: Sequence[str], window: int
) -> EstateFindings:
    """The detector figures of the accounts (all when none given), for the dashboard."""
    return EstateFindings(
        vulnerabilities=await vulnerabilities(session, accounts),
        threats=await threats(session, accounts),
        patching=await patching_rollup(session, accounts),
        certificates=await certificate_rollup(session, accounts, window),
        expiring_days=window,
    )
