"""One run of the demo: seed moto, run PacBot embedded, assess, exempt, remediate, report."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress

from pacbot.autofix.fixes.catalog import catalog
from pacbot.cli.demo import steps
from pacbot.cli.demo.mail import SmtpSink, smtp_sink
from pacbot.cli.demo.output import Terminal
from pacbot.cli.demo.report import collect
from pacbot.cli.embedded import SERVICES, EmbeddedOptions, EmbeddedPacBot
from pacbot.cli.estate.layout import ACCOUNTS, DemoAccount, DemoEstate, seed_demo

SENDER = "pacbot@acme.example"
log = logging.getLogger("pacbot.demo")
After = Callable[[EmbeddedPacBot, str, dict[str, Any]], Awaitable[None]]
"""Called with the running PacBot, the dashboard's key and the report, while all is still up."""


PATIENT = {"aws-s3-bucket-public-access": 3600.0}
"""Policies whose fixes wait longer: a bucket may be public on purpose (a website), so its owner
gets an hour to ask for an exception; these plans wait in the AutoFix queue while the dashboard
is up."""


def fixable_policies() -> list[str]:
    """Every policy some registered fix corrects: AutoFix is enabled for all of them."""
    return sorted({policy for fix in catalog() for policy in fix["policies"]})


def _options(
    endpoint_url: str, data_dir: Path, grace_seconds: float, apply_fixes: bool
) -> Callable[[SmtpSink], EmbeddedOptions]:
    return lambda mail: EmbeddedOptions(
        data_dir=data_dir,
        aws_endpoint_url=endpoint_url,
        # the demo's AWS is a local moto server: a server error there is a call moto does not
        # implement (a known gap, reported as such), which retrying with backoff only delays
        aws_max_attempts=1,
        dry_run=not apply_fixes,
        autofix_policies={
            policy: {"grace_seconds": PATIENT.get(policy, grace_seconds)}
            for policy in fixable_policies()
        },
        autofix_accounts=[account.account_id for account in ACCOUNTS],
        notify={
            "smtp_host": mail.host,
            "smtp_port": mail.port,
            "smtp_from": SENDER,
            # ownerless resources and exception requests go to the security team
            "default_fallback_address": steps.SECURITY_USER,
        },
        # The dashboard's session cookie travels over plain http on 127.0.0.1 here.
        extra={
            **{name: {"outbox_poll_seconds": 1.0} for name in SERVICES},
            "gateway": {"cookie_secure": False, "outbox_poll_seconds": 1.0},
            # today's trend point (and each group's) is there by the time the dashboard is shown
            "violations": {
                "outbox_poll_seconds": 1.0,
                "snapshot_interval_seconds": 5.0,
                "snapshot_scopes": [f"group:{name}" for name in steps.GROUPS],
                # the demo's groups are counted into the tallies seconds after they are made
                "tally_groups_sync_seconds": 5.0,
            },
        },
    )


async def run_demo(
    endpoint_url: str,
    data_dir: Path,
    grace_seconds: float = 3.0,
    *,
    apply_fixes: bool = False,
    terminal: Terminal | None = None,
    after: After | None = None,
) -> dict[str, Any]:
    """Seed, assess, exempt, remediate (dry run unless ``apply_fixes``) and report through the
    API; then ``after`` runs while PacBot is still up (the demo serves the dashboard there)."""
    out = terminal or Terminal(Console(file=io.StringIO()), quiet=True)
    bars = out.progress()
    bars.start()
    seeding = bars.add_task("Seeding moto", total=None, detail="")
    halt = threading.Event()

    def seeded_step(label: str, done: int, total: int) -> None:
        if halt.is_set():  # the demo is stopping: end the seeding threads at their next step
            raise RuntimeError("seeding stopped")
        bars.update(seeding, completed=done, total=total, detail=label)

    loop = asyncio.get_running_loop()
    ready = {account.account_id: asyncio.Event() for account in ACCOUNTS}

    def account_seeded(account: DemoAccount) -> None:
        log.info("seeded %s", account.name)
        loop.call_soon_threadsafe(ready[account.account_id].set)

    seeder = asyncio.create_task(
        asyncio.to_thread(seed_demo, endpoint_url, seeded_step, account_seeded)
    )

    def seeded(task: asyncio.Task[DemoEstate]) -> None:
        if not task.cancelled() and task.exception() is None:
            bars.update(seeding, detail=f"{len(task.result().resources)} resources")
            log.info("seeded moto")

    seeder.add_done_callback(seeded)
    try:
        options = _options(endpoint_url, data_dir, grace_seconds, apply_fixes)
        async with smtp_sink() as mail, EmbeddedPacBot(options(mail)) as pacbot:
            log.info("PacBot started")
            keys = await steps.issue_keys(pacbot)
            async with (
                pacbot.client(key=keys.admin) as admin,
                pacbot.client(key=keys.security) as security,
                pacbot.client(key=keys.web) as web,
                pacbot.client(key=keys.data) as data,
            ):
                await steps.onboard(admin)
                await steps.make_groups(admin)
                outcome = await _loop(
                    pacbot, mail, bars, security, web, data, apply_fixes, grace_seconds, ready
                )
                estate: DemoEstate = await seeder
                bars.stop()
                report = await collect(security, mail=mail, dry_run=not apply_fixes, **outcome)
                log.info("report read through the API")
            report["seeded"] = estate.summary()
            if after is not None:
                await after(pacbot, keys.dashboard, report)
    finally:
        bars.stop()
        halt.set()
        if not seeder.done():
            seeder.cancel()
    return report


async def _loop(
    pacbot: EmbeddedPacBot,
    mail: SmtpSink,
    bars: Progress,
    security: httpx.AsyncClient,
    web: httpx.AsyncClient,
    data: httpx.AsyncClient,
    apply_fixes: bool,
    grace_seconds: float,
    ready: dict[str, asyncio.Event],
) -> dict[str, Any]:
    """Assess, exempt, remediate and (when fixes were applied) repeat; what the report needs."""
    sweeps = await steps.discover(security, bars, ready=ready)
    log.info("discovered")
    await steps.assess(pacbot, security, bars, sum(s["seen"] for s in sweeps))
    log.info("assessed")
    granted = await steps.exempt_site(security, web)
    log.info("exempted")
    pending = await steps.request_exception(security, data)
    log.info("requested")
    await pacbot.settle()
    log.info("settled")
    plans = await steps.remediate(
        security, mail, bars, grace_seconds, patience=min(PATIENT.values()) - 1
    )
    log.info("remediated")
    if apply_fixes:
        sweeps = await steps.discover(security, bars, "Re-scanning")
        await steps.assess(pacbot, security, bars, sum(s["seen"] for s in sweeps), "Re-assessing")
    return {"sweeps": sweeps, "plans": plans, "exceptions": [granted, pending]}
