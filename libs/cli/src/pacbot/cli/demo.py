"""`pacbot demo`: the whole Assess → Report → Remediate loop, embedded, on a seeded moto estate.

AutoFix acts only once the owner's notice was delivered, so the demo runs a real SMTP server on
127.0.0.1 (a sink that keeps every message) and shows the email the owners received.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session

from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot
from pacbot.cli.estate import seed

MOTO_ACCOUNT = "123456789012"
PUBLIC_POLICY = "aws-s3-bucket-public-access"
SECURITY_USER = "security@acme.example"
WEB_OWNER = "web@acme.example"  # the acme-marketing-site bucket's Owner tag (estate/s3.py)
SENDER = "pacbot@acme.example"
PENDING = ("notifying", "waiting", "running")
"""Plan statuses the demo waits out; ``held`` and ``paused`` wait for a person, not the clock."""


def _without_request_tracebacks(record: logging.LogRecord) -> bool:
    """moto answers APIs it lacks (e.g. Access Analyzer) with a 500 and a logged traceback; the
    connectors record such gaps in the asset itself, so in the demo the traceback is noise."""
    return not record.getMessage().startswith("Error on request")


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free loopback port, for as long as the block runs."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").addFilter(_without_request_tracebacks)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # Every moto server in one process shares its backends: start from an empty estate.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))  # noqa: S310
    try:
        yield url
    finally:
        server.stop()


@dataclass(frozen=True)
class Email:
    """One message the sink accepted: the envelope's recipients and the headers that matter."""

    to: str
    subject: str
    kind: str
    """``X-PacBot-Kind``: notice, reminder, escalation, outcome... (empty when absent)."""
    ref: str
    """``X-PacBot-Subject-Ref``: the plan (or exception) the message is about."""

    def as_dict(self) -> dict[str, str]:
        """The message as the demo's result reports it."""
        return {"to": self.to, "subject": self.subject, "kind": self.kind, "ref": self.ref}


@dataclass
class SmtpSink:
    """An aiosmtpd handler that accepts every message and keeps it in ``messages``."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Email] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the message; answer 250 so the sender counts it as delivered."""
        content = envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(
            Email(
                to=", ".join(envelope.rcpt_tos) or str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                kind=str(message.get("X-PacBot-Kind", "")),
                ref=str(message.get("X-PacBot-Subject-Ref", "")),
            )
        )
        return "250 Message accepted for delivery"

    def about(self, ref: str, *kinds: str) -> list[Email]:
        """The messages about ``ref`` (of ``kinds``, when given), in arrival order."""
        return [m for m in self.messages if m.ref == ref and (not kinds or m.kind in kinds)]


@asynccontextmanager
async def smtp_sink(host: str = "127.0.0.1") -> AsyncIterator[SmtpSink]:
    """A real SMTP server on a free loopback port, served by the running event loop.

    The senders speak blocking ``smtplib`` from worker threads, so serving from this loop never
    deadlocks; ``hostname`` is fixed so aiosmtpd does not wait on a reverse DNS lookup.
    """
    sink = SmtpSink(host=host)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="pacbot-demo-sink", loop=loop), host, 0
    )
    sink.port = int(server.sockets[0].getsockname()[1])
    try:
        yield sink
    finally:
        server.close()
        await server.wait_closed()


def _pct(value: float | None) -> str:
    """A compliance figure for people (the API returns unrounded floats, or null)."""
    return "n/a" if value is None else f"{value:.1f}%"


def _say(text: str = "") -> None:
    print(text, flush=True)


def _table(violations: list[dict[str, Any]], severities: tuple[str, ...] = ()) -> None:
    shown = [v for v in violations if not severities or v["severity"] in severities]
    for v in shown:
        _say(f"  {v['status']:<9} {v['severity']:<8} {v['policy_id']:<44} {v['asset_name']}")
    if len(shown) < len(violations):
        hidden: Counter[str] = Counter(v["severity"] for v in violations if v not in shown)
        _say("  … and " + ", ".join(f"{n} {sev}" for sev, n in sorted(hidden.items())))


async def _all_violations(api: Any, status: str) -> list[dict[str, Any]]:
    """Every violation with ``status``, following the gateway's ``next_cursor`` to the end."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"status": status, "limit": 200}
    while True:
        page = (await api.get("/api/v1/violations", params=params)).json()
        found += page["items"]
        if not page["next_cursor"]:
            return found
        params = {**params, "cursor": page["next_cursor"]}


async def run_demo(endpoint_url: str, data_dir: Path, grace_seconds: float) -> dict[str, Any]:
    """Seed, scan, report, exempt, wait out the grace period, fix, rescan; return the figures."""
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    estate = seed(s3)
    _say(f"Seeded a simulated AWS estate at {endpoint_url}: {len(estate)} S3 buckets.")
    async with smtp_sink() as mail:
        _say(f"Started an SMTP server at {mail.host}:{mail.port} that keeps every email it gets.")
        options = EmbeddedOptions(
            data_dir=data_dir,
            aws_endpoint_url=endpoint_url,
            grace_seconds=grace_seconds,
            autofix_policies={PUBLIC_POLICY: {}},
            autofix_accounts=[MOTO_ACCOUNT],
            notify={
                "smtp_host": mail.host,
                "smtp_port": mail.port,
                "smtp_from": SENDER,
                # ownerless resources and exception requests go to the security team
                "default_fallback_address": SECURITY_USER,
            },
        )
        async with EmbeddedPacBot(options) as pacbot:
            keys = await _demo_keys(pacbot)
            async with (
                pacbot.client(key=keys.security) as api,
                pacbot.client(key=keys.owner) as owner_api,
            ):
                return await _loop(pacbot, api, owner_api, grace_seconds, mail)


@dataclass(frozen=True)
class DemoKeys:
    """The API keys the demo acts with: security runs the loop, the site's owner asks."""

    security: str
    owner: str


async def _issued(admin: httpx.AsyncClient, body: dict[str, Any]) -> str:
    """A key the admin creates through the API (the token is in this answer only)."""
    response = await admin.post("/api/v1/keys", json=body)
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


async def _demo_keys(pacbot: EmbeddedPacBot) -> DemoKeys:
    """Bootstrap an admin key as the local operator, then let the admin issue the others."""
    bootstrap = await pacbot.issue_key("admin", subject="admin@acme.example")
    async with pacbot.client(key=bootstrap) as admin:
        security = await _issued(
            admin, {"name": "security", "roles": ["security"], "subject": SECURITY_USER}
        )
        owner = await _issued(admin, {"name": "web", "roles": ["owner"], "subject": WEB_OWNER})
    _say(
        f"Issued API keys: admin@acme.example (admin), {SECURITY_USER} (security), "
        f"{WEB_OWNER} (owner of the marketing site)."
    )
    return DemoKeys(security=security, owner=owner)


async def _loop(
    pacbot: EmbeddedPacBot,
    api: httpx.AsyncClient,
    owner_api: httpx.AsyncClient,
    grace_seconds: float,
    mail: SmtpSink,
) -> dict[str, Any]:
    """Assess, report, exempt, remediate, repeat; ``api`` acts as security."""
    _say("\n1. Assess: discovering and evaluating every resource of the account")
    scanned = await api.post("/api/v1/scans", json={})
    scanned.raise_for_status()
    await pacbot.settle()
    _say(f"   discovered {sum(s['seen'] for s in scanned.json()['sweeps'])} assets")
    summary = (await api.get("/api/v1/compliance/summary")).json()
    opened = await _all_violations(api, "open")
    _say(
        f"\n2. Report: {len(opened)} open violations over "
        f"{len({v['policy_id'] for v in opened})} policies, "
        f"overall compliance {_pct(summary['overall_pct'])} (critical ones:)"
    )
    _table(opened, ("critical",))
    exception = await _exempt_the_website(pacbot, api, owner_api, opened)
    fixes = await _remediate(api, grace_seconds, mail)

    _say("\n5. Repeat: the next scan sees the fixed buckets")
    (await api.post("/api/v1/scans", json={})).raise_for_status()
    await pacbot.settle()
    closed = await _all_violations(api, "closed")
    still_open = await _all_violations(api, "open")
    final = (await api.get("/api/v1/compliance/summary")).json()
    _say(f"   closed as fixed: {len(closed)}")
    _table(closed)
    _say(
        f"   still open: {len(still_open)} (AutoFix is enabled only for {PUBLIC_POLICY} here; "
        "critical ones:)"
    )
    _table(still_open, ("critical",))
    _say(f"\nCompliance went from {_pct(summary['overall_pct'])} to {_pct(final['overall_pct'])}.")
    return {
        "before": summary,
        "after": final,
        "exception": exception,
        "fixes": fixes,
        "emails": [m.as_dict() for m in mail.messages],
        "closed": closed,
        "open": still_open,
    }


async def _exempt_the_website(
    pacbot: EmbeddedPacBot,
    api: httpx.AsyncClient,
    owner_api: httpx.AsyncClient,
    opened: list[dict[str, Any]],
) -> dict[str, Any]:
    """The site's owner asks for an exception; security (someone else) approves it."""
    website = next(
        v
        for v in opened
        if v["asset_name"] == "acme-marketing-site" and v["policy_id"] == PUBLIC_POLICY
    )
    request = await owner_api.post(
        "/api/v1/exceptions",
        json={
            "asset_ids": [website["asset_id"]],
            "policy_ids": [website["policy_id"]],
            "reason": "public static website, reviewed by security",
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        },
    )
    request.raise_for_status()
    grant = await api.post(f"/api/v1/exceptions/{request.json()['exception_id']}/approve")
    grant.raise_for_status()
    await pacbot.settle()
    _say(
        "\n3. Exception: the marketing site is public on purpose (expires in 30 days);\n"
        f"   requested by {request.json()['requester']} (owner key), "
        f"approved by {grant.json()['approver']} (security key)"
    )
    _table([(await api.get(f"/api/v1/violations/{website['violation_id']}")).json()])
    granted: dict[str, Any] = grant.json()
    return granted


async def _plans(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await api.get("/api/v1/fixes", params={"limit": 200})
    response.raise_for_status()
    plans: list[dict[str, Any]] = response.json()["items"]
    return plans


async def _until(done: Callable[[], Awaitable[bool]], timeout: float) -> None:
    """Poll ``done()`` every half second until it is true or ``timeout`` has passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await done():
            return
        await asyncio.sleep(0.5)


async def _remediate(
    api: httpx.AsyncClient, grace_seconds: float, mail: SmtpSink
) -> list[dict[str, Any]]:
    """Show the notices the owners got, then wait until AutoFix has acted on every plan."""

    async def noticed() -> bool:
        # Every plan that was not refused outright has had its notice delivered to the sink.
        plans = [p for p in await _plans(api) if p["status"] != "skipped"]
        return bool(plans) and all(mail.about(p["plan_id"], "notice") for p in plans)

    await _until(noticed, timeout=30)
    notices = [m for m in mail.messages if m.kind in ("notice", "escalation")]
    _say(
        f"\n4. Remediate: AutoFix emailed {len(notices)} owner(s) when the violations opened "
        f"(the SMTP server at {mail.host}:{mail.port} received):"
    )
    for message in notices:
        _say(f"   To: {message.to:<24} Subject: {message.subject}")
    _say(
        f"   a fix waits {grace_seconds:g}s after its notice was delivered (an exempted "
        "violation's plan is cancelled); waiting…"
    )

    async def acted() -> bool:
        plans = await _plans(api)
        return bool(plans) and all(p["status"] not in PENDING for p in plans)

    await _until(acted, timeout=grace_seconds + 30)
    fixes = await _plans(api)
    for fix in fixes:
        _say(f"   {fix['status']:<9} {fix['action']} on {fix['asset_id']}")
    told = [f for f in fixes if f["status"] in ("applied", "dry_run", "failed")]

    async def outcomes_in() -> bool:
        return all(mail.about(f["plan_id"], "outcome") for f in told)

    await _until(outcomes_in, timeout=10)
    outcomes = [m for m in mail.messages if m.kind == "outcome"]
    if outcomes:
        _say("   and told the owners how it went:")
        for message in outcomes:
            _say(f"   To: {message.to:<24} Subject: {message.subject}")
    return fixes


def main(endpoint_url: str | None, grace_seconds: float, data_dir: Path | None) -> int:
    """Run the demo against ``endpoint_url`` or a moto server of its own."""
    with tempfile.TemporaryDirectory(prefix="pacbot-demo-") as tmp:
        directory = data_dir or Path(tmp)
        if endpoint_url:
            asyncio.run(run_demo(endpoint_url, directory, grace_seconds))
        else:
            # moto accepts any credentials; never pick up a person's real ones for the simulation.
            os.environ.update(
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION="us-east-1",
            )
            os.environ.pop("AWS_PROFILE", None)
            os.environ.pop("AWS_SESSION_TOKEN", None)
            with moto_server() as url:
                asyncio.run(run_demo(url, directory, grace_seconds))
    return 0
