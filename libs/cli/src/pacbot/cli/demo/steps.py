"""The demo's steps, each acted through the gateway API by the person who would take it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from rich.progress import Progress

from pacbot.cli.demo import api
from pacbot.cli.demo.mail import SmtpSink
from pacbot.cli.embedded import EmbeddedPacBot
from pacbot.cli.estate.layout import ACCOUNTS, DATA, PAYMENTS, REGIONS

log = logging.getLogger("pacbot.demo")

ADMIN_USER = "admin@acme.example"
SECURITY_USER = "security@acme.example"
WEB_OWNER = "web@acme.example"
"""Owner of the public marketing site (its Owner tag), who asks for an exception."""
DATA_OWNER = "data@acme.example"
"""Owner of the unencrypted analytics bucket, whose request waits for someone's approval."""
PENDING = ("notifying", "waiting", "running")
"""Plan statuses the demo waits out; ``held`` and ``paused`` wait for a person, not the clock."""
MARKETING_SITE = "prod-acme-marketing-site"
DATA_BUCKET = "acme-data-dev-us-east-1"


@dataclass(frozen=True)
class Keys:
    """The API keys the demo acts with, and the one it hands to the person watching."""

    admin: str
    security: str
    web: str
    data: str
    dashboard: str


async def issue_keys(pacbot: EmbeddedPacBot) -> Keys:
    """Bootstrap an admin key as the local operator, then let the admin issue the others."""
    bootstrap = await pacbot.issue_key("admin", subject=ADMIN_USER)
    async with pacbot.client(key=bootstrap) as admin:

        async def issued(name: str, role: str, subject: str) -> str:
            body = {"name": name, "roles": [role], "subject": subject, "expires_in_days": 1}
            token: str = (await api.post(admin, "/api/v1/keys", body))["token"]
            return token

        return Keys(
            admin=bootstrap,
            security=await issued("security", "security", SECURITY_USER),
            web=await issued("web", "owner", WEB_OWNER),
            data=await issued("data", "owner", DATA_OWNER),
            dashboard=await issued("dashboard", "admin", ADMIN_USER),
        )


async def onboard(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Both accounts, each through the role PacBot assumes in it, swept in both regions."""
    return [
        await api.post(
            admin,
            "/api/v1/accounts",
            {
                "account_id": account.account_id,
                "name": account.name,
                "role_arn": account.role_arn,
                "regions": list(REGIONS),
            },
        )
        for account in ACCOUNTS
    ]


GROUPS: dict[str, dict[str, Any]] = {
    "production": {
        "description": "everything tagged Environment=prod",
        "criteria": {"tags": {"Environment": "prod"}},
    },
    "payments": {
        "description": f"the payments team's {PAYMENTS.application} stack",
        "criteria": {"tags": {"Application": PAYMENTS.application}},
    },
    "data-platform": {
        "description": f"the data team's {DATA.application} stack",
        "criteria": {"tags": {"Application": DATA.application}},
    },
    "development-account": {
        "description": "the development account",
        "criteria": {"accounts": [ACCOUNTS[1].account_id]},
    },
}
"""Asset groups the dashboard's selector offers (the violations service snapshots each daily)."""


async def make_groups(admin: httpx.AsyncClient) -> list[str]:
    """The demo's asset groups, made by the admin; their names."""
    for name, body in GROUPS.items():
        await api.post(admin, "/api/v1/groups", {"name": name, **body})
    return list(GROUPS)


async def discover(
    security: httpx.AsyncClient,
    bars: Progress,
    label: str = "Discovering",
    ready: Mapping[str, asyncio.Event] | None = None,
) -> list[dict[str, Any]]:
    """A scan of each onboarded account (every region and resource type), started as soon as
    the account is ``ready``; the bar counts the sweeps that ended."""
    catalogue = (await api.get(security, "/api/v1/resources"))["items"]
    accounts = await api.every(security, "/api/v1/accounts")
    global_types = sum(1 for t in catalogue if t["scope"] == "global")
    regional = len(catalogue) - global_types
    planned = sum(global_types + regional * len(a["regions"] or REGIONS) for a in accounts)
    bar = bars.add_task(
        label,
        total=planned,
        detail=f"{len(accounts)} accounts x {len(REGIONS)} regions x {len(catalogue)} types",
    )
    before = {s["sweep_id"] for s in (await api.get(security, "/api/v1/scans", limit=500))["items"]}

    async def scan(account_id: str) -> list[dict[str, Any]]:
        if ready is not None:
            await ready[account_id].wait()
        answer = await api.post(security, "/api/v1/scans", {"account_id": account_id})
        found: list[dict[str, Any]] = answer["sweeps"]
        return found

    scans = [asyncio.create_task(scan(a["account_id"])) for a in accounts]
    try:
        while not all(s.done() for s in scans):
            await asyncio.wait(scans, timeout=0.5, return_when=asyncio.FIRST_EXCEPTION)
            recent = (await api.get(security, "/api/v1/scans", limit=500))["items"]
            ended = [s for s in recent if s["sweep_id"] not in before and s["status"] != "running"]
            bars.update(bar, completed=len(ended))
        sweeps = [sweep for s in scans for sweep in await s]
    finally:
        for s in scans:
            s.cancel()
    failed = sum(1 for s in sweeps if s["status"] == "failed")
    bars.update(
        bar,
        total=len(sweeps),
        completed=len(sweeps),
        detail=f"{sum(s['seen'] for s in sweeps)} assets seen, {failed} sweep(s) failed",
    )
    return sweeps


async def assess(
    pacbot: EmbeddedPacBot,
    security: httpx.AsyncClient,
    bars: Progress,
    assets: int,
    label: str = "Assessing",
) -> None:
    """Wait until the pipeline is quiet, showing how many assets the compliance figures count
    as evaluated and how many violations are open: the bar ends where those figures are, and
    says so when some asset discovery saw was not evaluated."""
    bar = bars.add_task(label, total=assets, detail="")

    async def show() -> int:
        summary = await api.get(security, "/api/v1/compliance/summary")
        opened = await api.total(security, "/api/v1/violations", status="open")
        evaluated = min(int(summary["evaluated_assets"]), assets)
        bars.update(bar, completed=evaluated, detail=f"{opened} violations open")
        return evaluated

    settling = asyncio.create_task(pacbot.settle(timeout=300))
    while not settling.done():
        await asyncio.wait({settling}, timeout=1.0)
        await show()
    await settling
    evaluated = await show()
    if evaluated < assets:
        log.warning("assessed %d of %d assets discovery saw", evaluated, assets)


async def exempt_site(security: httpx.AsyncClient, web: httpx.AsyncClient) -> dict[str, Any]:
    """The web team's site is public on purpose: its owner asks for an exception and security,
    someone else, grants it (AutoFix then cancels the site's plan)."""
    site = await _open_violation(security, MARKETING_SITE, "aws-s3-bucket-public-access")
    requested = await _request(web, site, "public static website, reviewed by security", 30)
    granted: dict[str, Any] = await api.post(
        security, f"/api/v1/exceptions/{requested['exception_id']}/approve"
    )
    return granted


async def request_exception(security: httpx.AsyncClient, data: httpx.AsyncClient) -> dict[str, Any]:
    """The data team asks to keep its dev bucket unencrypted for a while; nobody decided yet."""
    bucket = await _open_violation(security, DATA_BUCKET, "aws-s3-bucket-default-encryption")
    return await _request(data, bucket, "scratch data only; encryption lands next sprint", 14)


async def _open_violation(api_: httpx.AsyncClient, asset_name: str, policy: str) -> dict[str, Any]:
    for violation in await api.every(api_, "/api/v1/violations", status="open", policy_id=policy):
        if violation["asset_name"] == asset_name:
            return violation
    raise RuntimeError(f"no open {policy} violation on {asset_name}: the estate changed?")


async def _request(
    owner: httpx.AsyncClient, violation: dict[str, Any], reason: str, days: int
) -> dict[str, Any]:
    body = {
        "asset_ids": [violation["asset_id"]],
        "policy_ids": [violation["policy_id"]],
        "reason": reason,
        "expires_at": (datetime.now(UTC) + timedelta(days=days)).isoformat(),
    }
    requested: dict[str, Any] = await api.post(owner, "/api/v1/exceptions", body)
    return requested


async def remediate(
    security: httpx.AsyncClient, mail: SmtpSink, bars: Progress, grace: float, patience: float
) -> list[dict[str, Any]]:
    """Wait until AutoFix has told each owner and acted on (or, in dry run, recorded) every plan
    whose ``grace`` has passed; plans with a grace longer than ``patience`` wait for a person."""
    plans = await api.every(security, "/api/v1/fixes")
    bar = bars.add_task("AutoFix", total=max(len(plans), 1), detail="")

    def queued(plan: dict[str, Any]) -> bool:
        return plan["status"] in PENDING and plan["grace_seconds"] > patience

    async def settled() -> bool:
        nonlocal plans
        plans = await api.every(security, "/api/v1/fixes")
        done = [p for p in plans if p["status"] not in PENDING or queued(p)]
        told = sum(1 for m in mail.messages if m.kind in ("notice", "escalation"))
        bars.update(
            bar,
            total=max(len(plans), 1),
            completed=len(done),
            detail=f"{told} owners' notices emailed, {sum(map(queued, plans))} plans queued",
        )
        return bool(plans) and len(done) == len(plans)

    await api.until(settled, timeout=grace + 90)
    # AutoFix tells a resource's owner how its fix went (nobody, when it has no Owner tag).
    told = [p for p in plans if p["status"] in ("applied", "dry_run", "failed") and p["owner"]]

    async def outcomes_in() -> bool:
        return all(mail.about(p["plan_id"], "outcome") for p in told)

    await api.until(outcomes_in, timeout=15)
    await settled()
    return plans
