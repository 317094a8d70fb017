"""AutoFix benchmark: N public buckets, N violation events, every plan told, waited out and fixed.

The autofix service runs in-process on the dev stack's PostgreSQL (``make dev-up``), with
``BENCH_REPLICAS`` replicas sharing its schema, against a moto server; owners are told by email
through a real SMTP server (aiosmtpd) on 127.0.0.1. Its peers (violations, inventory) are
in-process doubles that answer at once, so the numbers are autofix's own: plans per second from
the violation event to a verified fix, and the latency of each (event -> notice delivered ->
grace of 0 s -> backup -> apply -> verify). Run with `make bench-autofix` (N via BENCH_FIXES).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import statistics
import time
import uuid
from datetime import datetime
from email import message_from_bytes
from typing import Any

import boto3
import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from bench.results import Figure, record
from pacbot.autofix.app import create_app
from pacbot.autofix.models import FixPlan
from pacbot.autofix.settings import AutofixSettings
from pacbot.cli.demo import moto_server
from pacbot.cli.devstack import DevStack
from pacbot.common.bus import MemoryBus
from pacbot.common.db import Database
from pacbot.common.events import (
    VIOLATIONS_TOPIC,
    AssetSummary,
    AutofixSpec,
    Envelope,
    PolicyRef,
    ViolationChanged,
    utcnow,
)
from pacbot.common.runtime import SharedInfra

ACCOUNT = "123456789012"
POLICY = "aws-s3-bucket-public-access"


class Inbox:
    """An SMTP handler that counts what it accepts."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept every message."""
        self.received.append(str(message_from_bytes(envelope.content)["Subject"]))
        return "250 OK"


def _peers() -> dict[str, httpx.MockTransport]:
    def violations(request: httpx.Request) -> httpx.Response:
        violation_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json={"violation_id": violation_id, "status": "open"})

    def inventory(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/access"):
            return httpx.Response(200, json={"role_arn": None, "external_id": None})
        return httpx.Response(200, json={"tags": {}, "config": {}, "deleted": False})

    return {
        "violations": httpx.MockTransport(violations),
        "inventory": httpx.MockTransport(inventory),
    }


def _violation(bucket: str) -> ViolationChanged:
    return ViolationChanged(
        event_type="pacbot.violation.opened",
        violation_id=f"v-{bucket}",
        asset=AssetSummary(
            asset_id=f"arn:aws:s3:::{bucket}",
            account_id=ACCOUNT,
            region="us-east-1",
            resource_type="aws.s3.bucket",
            name=bucket,
            tags={"Owner": f"owner-{bucket}@example.com"},
        ),
        policy=PolicyRef(
            policy_id=POLICY,
            name="S3 buckets must not be publicly accessible",
            severity="critical",
            category="security",
            autofix=AutofixSpec(action="s3-block-public-access", grace_seconds=0),
        ),
        status="open",
        reason="public",
        asset_version=1,
        episode=1,
        occurred_at=utcnow(),
    )


async def _applied(db: Database) -> list[tuple[datetime, datetime, datetime | None]]:
    async with db.session() as session:
        rows = await session.execute(
            select(FixPlan.created_at, FixPlan.applied_at, FixPlan.notified_at).where(
                FixPlan.status == "applied"
            )
        )
        return [(a, b, c) for a, b, c in rows.all()]


async def run(count: int, replicas: int) -> None:
    """Seed, publish, wait for every plan to be applied, print the figures."""
    stack = DevStack().up()
    schema = f"bench_autofix_{uuid.uuid4().hex[:8]}"
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        smtp_port = int(sock.getsockname()[1])
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with moto_server() as moto:
        os.environ.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (moto)
            AWS_DEFAULT_REGION="us-east-1",
        )
        s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
        buckets = [f"fix-{i:05d}-{uuid.uuid4().hex[:6]}" for i in range(count)]
        for bucket in buckets:
            s3.create_bucket(Bucket=bucket)
        settings = AutofixSettings(
            database_url=stack.postgres_url,
            service_name=schema,
            bus="memory",
            aws_endpoint_url=moto,
            policies={POLICY: {}},
            allowed_accounts=[ACCOUNT],
            grace_override_seconds=float(os.environ.get("BENCH_GRACE", "0")),
            reminders=0,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            timer_poll_seconds=0.05,
            notify_poll_seconds=0.05,
            log_json=True,
            log_level="WARNING",
            internal_secret=secrets.token_urlsafe(48),
        )
        apps, buses = [], []
        for _ in range(replicas):
            bus = MemoryBus()
            app = create_app(settings, shared=SharedInfra(bus=bus, transports=_peers()))
            lifespan = app.router.lifespan_context(app)
            await lifespan.__aenter__()
            await bus.start()
            apps.append((app, lifespan))
            buses.append(bus)
        db = Database(stack.postgres_url, schema=schema)
        started = time.perf_counter()
        for i, bucket in enumerate(buckets):
            event = _violation(bucket)
            envelope = Envelope.wrap(event, source="violations", subject=event.violation_id)
            await buses[i % replicas].publish(VIOLATIONS_TOPIC, envelope, key=event.violation_id)
        while len(await _applied(db)) < count:
            if time.perf_counter() - started > 60 + count:
                raise SystemExit(f"only {len(await _applied(db))} of {count} plans applied")
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        rows = await _applied(db)
        created = sorted(row[0] for row in rows)
        spread = (created[-1] - created[0]).total_seconds()
        latencies = sorted((applied - created).total_seconds() for created, applied, _ in rows)
        to_notice = sorted(
            (notified - created).total_seconds() for created, _, notified in rows if notified
        )
        for _app, lifespan in apps:
            await lifespan.__aexit__(None, None, None)
        for bus in buses:
            await bus.stop()
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await db.engine.dispose()
    smtp.stop()
    print(f"{count} plans, {replicas} replica(s), PostgreSQL + moto + SMTP on 127.0.0.1")
    print(f"  all applied in {elapsed:.2f} s: {count / elapsed:,.1f} plans/s")
    print(f"  events -> plans: {count} plans created over {spread:.2f} s")
    print(f"  plan -> notice delivered  {_spread(to_notice)}")
    print(f"  plan -> applied           {_spread(latencies)}")
    print(f"  emails received: {len(inbox.received)} (a notice and an outcome per plan)")
    # AutoFix states no target: the figures are for information
    record(
        "autofix",
        [
            Figure(
                f"plans applied per second ({replicas} replicas)",
                count / elapsed,
                "plans/s",
                better="higher",
            ),
            Figure("plan -> applied p95", statistics.quantiles(latencies, n=20)[18], "s"),
            Figure("plan -> notice p95", statistics.quantiles(to_notice, n=20)[18], "s"),
        ],
        {"plans": count, "replicas": replicas, "emails": len(inbox.received)},
    )


def _spread(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {cuts[9]:.2f} s  p95 {cuts[18]:.2f} s"


def main() -> None:
    """Entry point of `make bench-autofix`."""
    count = int(os.environ.get("BENCH_FIXES", "200"))
    replicas = int(os.environ.get("BENCH_REPLICAS", "2"))
    asyncio.run(run(count, replicas))


if __name__ == "__main__":
    main()
