"""Enqueue notifications in the caller's transaction; a background dispatcher delivers them.

Two rules hold throughout. A notification counts only once delivered: its status becomes
``delivered`` only after a channel accepted it, and the settle hook hears of every outcome
(``delivered``, ``failed``, ``undeliverable``) exactly once, in the transaction that records
it. Delivery never blocks the caller: ``enqueue`` only writes rows; the dispatcher claims due
deliveries with a conditional UPDATE (so replicas never send one twice), sends them outside
any transaction, then records each outcome in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import dataclasses
import enum
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import httpx
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.ext.asyncio import AsyncSession

from pacbot.common.db import Database
from pacbot.common.events import utcnow
from pacbot.common.notify.addresses import is_email
from pacbot.common.notify.channels import (
    Channel,
    EmailChannel,
    Notification,
    Permanent,
    Retryable,
    SlackChannel,
    SmtpConfig,
    WebhookChannel,
)
from pacbot.common.notify.settings import NotifySettings
from pacbot.common.notify.templates import Rendered, Templates
from pacbot.common.periodic import Periodic

log = logging.getLogger("pacbot.notify")

DELIVERIES_SENT = Counter(
    "pacbot_notify_deliveries_total",
    "Delivery attempts by channel and outcome (delivered, retry, failed)",
    ["channel", "outcome"],
)

Clock = Callable[[], datetime]
SettledStatus = Literal["delivered", "failed", "undeliverable"]
SETTLED: tuple[SettledStatus, ...] = ("delivered", "failed", "undeliverable")


@dataclass(frozen=True)
class Settled:
    """What a settle hook receives: how one notification ended."""

    notification_id: str
    kind: str
    subject_ref: str
    recipient: str | None
    status: SettledStatus
    delivered_at: datetime | None
    detail: str


SettleHook = Callable[[AsyncSession, Settled], Awaitable[None]]


def _jsonable(value: Any) -> Any:
    """``value`` as JSON types: datetimes as ISO text, enums by value, models dumped."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"a notification context holds only JSON values; got {type(value).__name__}")


def _stored_context(context: Mapping[str, Any]) -> dict[str, Any]:
    stored: dict[str, Any] = json.loads(json.dumps(dict(context), default=_jsonable))
    return stored


@dataclass(frozen=True)
class _Claim:
    """A delivery this worker claimed, with what sending it needs."""

    delivery_id: str
    channel: str
    attempts: int
    token: str
    notification: Notification
    rendered: Rendered


@dataclass(frozen=True)
class _Outcome:
    """How one attempt ended: delivered, to retry at ``retry_at``, or failed for good."""

    status: Literal["delivered", "retry", "failed"]
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class DispatchPass:
    """What one dispatcher pass did."""

    reported: int = 0
    attempted: int = 0


class Notifier:
    """Stores notifications (``enqueue``), lists them, and makes the dispatcher that sends them."""

    def __init__(
        self,
        settings: NotifySettings,
        tables: tuple[Table, Table],
        templates: Templates,
        *,
        http: httpx.AsyncClient,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.notifications, self.deliveries = tables
        self.templates = templates
        self.http = http
        self.clock = clock

    # --- which channels ------------------------------------------------------------------------

    def _slack_configured(self) -> bool:
        settings = self.settings
        url = settings.slack_webhook_url
        return bool((url and url.get_secret_value()) or settings.slack_webhook_url_file)

    def applicable(self, recipient: str | None) -> tuple[list[str], str]:
        """The channels a notification to ``recipient`` goes over, or none and why."""
        settings = self.settings
        if not recipient:
            return [], "no recipient: nobody was named to tell (no owner and no fallback address)"
        channels = []
        email = is_email(recipient)
        if email and settings.smtp_host:
            channels.append(EmailChannel.name)
        if settings.webhook_url:
            channels.append(WebhookChannel.name)
        if self._slack_configured():
            channels.append(SlackChannel.name)
        if channels:
            return channels, ""
        if email:
            return [], (
                f"{recipient} is an email address but no SMTP relay is configured (smtp_host), "
                "nor a webhook or Slack channel"
            )
        return [], (
            f"{recipient!r} is not an email address and no webhook or Slack channel is configured"
        )

    def channels(self) -> dict[str, Channel]:
        """The configured channels, secrets read now (a rotated secret file is picked up)."""
        settings = self.settings
        out: dict[str, Channel] = {}
        if settings.smtp_host:
            out[EmailChannel.name] = EmailChannel(
                SmtpConfig(
                    host=settings.smtp_host,
                    port=settings.smtp_port,
                    sender=settings.smtp_from,
                    username=settings.smtp_username,
                    password=settings.resolved_smtp_password(),
                    starttls=settings.smtp_starttls,
                    ssl=settings.smtp_ssl,
                    timeout=settings.smtp_timeout_seconds,
                )
            )
        secret = settings.resolved_webhook_secret()
        if settings.webhook_url and secret:
            out[WebhookChannel.name] = WebhookChannel(settings.webhook_url, secret, self.http)
        slack = settings.resolved_slack_webhook_url()
        if slack:
            out[SlackChannel.name] = SlackChannel(slack, self.http)
        return out

    # --- enqueue -------------------------------------------------------------------------------

    async def enqueue(
        self,
        session: AsyncSession,
        *,
        kind: str,
        subject_ref: str,
        recipient: str | None,
        template: str,
        context: Mapping[str, Any],
        dedupe_key: str | None = None,
    ) -> str | None:
        """Store a notification and one delivery per applicable channel in ``session``'s
        transaction; returns its id, or None when ``dedupe_key`` was used before.

        Rendering happens now, so a missing template or context value fails the caller's
        change (:class:`~pacbot.common.notify.templates.TemplateError`). Without any channel
        the notification is stored as ``undeliverable`` with the reason; the dispatcher reports
        it to the settle hook on its next pass, like every other outcome.
        """
        recipient = (recipient or "").strip() or None
        rendered = self.templates.render(template, context)
        stored = _stored_context(context)
        now = self.clock()
        channels, why = self.applicable(recipient)
        notification_id = f"ntf-{uuid.uuid4().hex}"
        row = {
            "id": notification_id,
            "kind": kind,
            "subject_ref": subject_ref,
            "recipient": recipient,
            "template": template,
            "context": stored,
            "subject": rendered.subject,
            "text": rendered.text,
            "html": rendered.html,
            "dedupe_key": dedupe_key,
            "status": "pending" if channels else "undeliverable",
            "detail": "" if channels else why,
            "created_at": now,
            "settled_at": None if channels else now,
            "delivered_at": None,
            "reported_at": None,
        }
        result = await session.execute(self._insert_once(session, row))
        if isinstance(result, CursorResult) and result.rowcount == 0:
            return None  # the dedupe key was used before (or by a transaction just committed)
        if channels:
            await session.execute(
                insert(self.deliveries),
                [
                    {
                        "id": f"dlv-{uuid.uuid4().hex}",
                        "notification_id": notification_id,
                        "channel": channel,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "claimed_at": None,
                        "claim_token": None,
                        "last_error": None,
                        "delivered_at": None,
                    }
                    for channel in channels
                ],
            )
        return notification_id

    def _insert_once(self, session: AsyncSession, row: dict[str, Any]) -> Any:
        """An INSERT that does nothing when the dedupe key exists (ON CONFLICT DO NOTHING)."""
        table = self.notifications
        if row["dedupe_key"] is None:
            return insert(table).values(row)
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            return (
                postgresql.insert(table)
                .values(row)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )
        if dialect == "sqlite":
            return (
                sqlite.insert(table)
                .values(row)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )
        raise NotImplementedError(
            f"notification dedupe keys need PostgreSQL or SQLite, not {dialect}"
        )

    # --- dispatch ------------------------------------------------------------------------------

    def dispatcher(
        self, db: Database, on_settled: SettleHook | None, interval: float
    ) -> Dispatcher:
        """The background loop that delivers what is due and reports every outcome."""
        return Dispatcher(self, db, on_settled, interval)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after failed attempt number ``attempts``: doubling from the base, capped."""
        settings = self.settings
        seconds = settings.notify_backoff_seconds * 2 ** min(max(attempts - 1, 0), 60)
        return timedelta(seconds=min(seconds, settings.notify_backoff_max_seconds))

    # --- read ----------------------------------------------------------------------------------

    async def list(
        self,
        session: AsyncSession,
        *,
        subject_ref: str | None = None,
        recipient: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[dict[str, Any]]:
        """Notifications, newest first, each with its deliveries (oldest channel first)."""
        table, deliveries = self.notifications, self.deliveries
        query = select(table).order_by(table.c.created_at.desc(), table.c.id.desc())
        if subject_ref is not None:
            query = query.where(table.c.subject_ref == subject_ref)
        if recipient is not None:
            query = query.where(table.c.recipient == recipient)
        rows = (await session.execute(query.limit(limit).offset(offset))).mappings().all()
        ids = [row["id"] for row in rows]
        by_notification: dict[str, builtins.list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            found = await session.execute(
                select(deliveries)
                .where(deliveries.c.notification_id.in_(ids))
                .order_by(deliveries.c.channel)
            )
            for d in found.mappings():
                by_notification[d["notification_id"]].append(
                    {
                        "channel": d["channel"],
                        "status": d["status"],
                        "attempts": d["attempts"],
                        "next_attempt_at": d["next_attempt_at"]
                        if d["status"] == "pending"
                        else None,
                        "last_error": d["last_error"],
                        "delivered_at": d["delivered_at"],
                    }
                )
        keep = (
            "id",
            "kind",
            "subject_ref",
            "recipient",
            "template",
            "subject",
            "status",
            "detail",
            "dedupe_key",
            "created_at",
            "settled_at",
            "delivered_at",
        )
        return [
            {**{k: row[k] for k in keep}, "deliveries": by_notification[row["id"]]} for row in rows
        ]


class Dispatcher(Periodic):
    """Each pass: report settled notifications the hook has not heard of, claim due deliveries,
    send them (a few at a time, outside any transaction), then record each outcome."""

    name = "notify-dispatcher"

    def __init__(
        self,
        notifier: Notifier,
        db: Database,
        on_settled: SettleHook | None,
        interval: float,
        *,
        batch: int = 50,
        concurrency: int = 8,
    ) -> None:
        super().__init__(interval)
        self.notifier = notifier
        self.db = db
        self.on_settled = on_settled
        self.batch = batch
        self.concurrency = concurrency
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def _n(self) -> Table:
        return self.notifier.notifications

    @property
    def _d(self) -> Table:
        return self.notifier.deliveries

    async def run_once(self) -> DispatchPass:
        """One pass; returns how many notifications were reported and deliveries attempted."""
        if self._stopping:
            return DispatchPass()
        self._idle.clear()
        try:
            reported = await self.report_unreported()
            claims = await self.claim()
            if claims:
                channels = self.notifier.channels()
                gate = asyncio.Semaphore(self.concurrency)

                async def one(claim: _Claim) -> None:
                    async with gate:
                        try:
                            await self._deliver(claim, channels)
                        except Exception:  # the claim stays; it is sent again after the lease
                            log.exception(
                                "a delivery outcome could not be recorded",
                                extra={"notification_id": claim.notification.id},
                            )

                await asyncio.gather(*(one(claim) for claim in claims))
            return DispatchPass(reported=reported, attempted=len(claims))
        finally:
            self._idle.set()

    async def stop(self, grace_seconds: float = 15.0) -> None:
        """Let the pass in flight record its outcomes (up to ``grace_seconds``), then stop.

        A delivery cut off mid-send stays claimed and is sent again once its lease runs out.
        """
        self._stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        await super().stop()
        self._stopping = False

    # --- reporting -----------------------------------------------------------------------------

    async def report_unreported(self) -> int:
        """Tell the hook about settled notifications it has not heard of, once each.

        These are the ones stored as undeliverable, and any whose hook failed when they
        settled. The conditional UPDATE of ``reported_at`` makes exactly one replica report.
        """
        n = self._n
        async with self.db.session() as session:
            query = (
                select(n.c.id)
                .where(n.c.status.in_(SETTLED), n.c.reported_at.is_(None))
                .order_by(n.c.created_at)
                .limit(self.batch)
            )
            ids = builtins.list(await session.scalars(query))
        reported = 0
        for notification_id in ids:
            try:
                async with self.db.session() as session:
                    reported += await self._report(session, notification_id)
            except Exception:
                log.exception(
                    "settle hook failed; will report again next pass",
                    extra={"notification_id": notification_id},
                )
        return reported

    async def _report(self, session: AsyncSession, notification_id: str) -> int:
        n = self._n
        marked = await session.execute(
            update(n)
            .where(n.c.id == notification_id, n.c.reported_at.is_(None))
            .values(reported_at=self.notifier.clock())
        )
        if not isinstance(marked, CursorResult) or marked.rowcount != 1:
            return 0  # another replica reported it
        row = (await session.execute(select(n).where(n.c.id == notification_id))).one()
        if self.on_settled is not None:
            await self.on_settled(session, _settled(row))
        return 1

    # --- claiming ------------------------------------------------------------------------------

    async def claim(self) -> builtins.list[_Claim]:
        """Claim up to ``batch`` due deliveries for this worker (one transaction).

        Due: pending and ``next_attempt_at`` passed, or claimed longer than the lease ago by a
        worker that never recorded an outcome. The UPDATE re-checks that condition, so of two
        replicas racing for a row only one claims it.
        """
        notifier, d, n = self.notifier, self._d, self._n
        now = notifier.clock()
        stale = now - timedelta(seconds=notifier.settings.notify_lease_seconds)
        token = uuid.uuid4().hex
        due = or_(
            and_(d.c.status == "pending", d.c.next_attempt_at <= now),
            and_(d.c.status == "sending", d.c.claimed_at <= stale),
        )
        async with self.db.session() as session:
            pick = select(d.c.id).where(due).order_by(d.c.next_attempt_at).limit(self.batch)
            if self.db.is_postgres:
                pick = pick.with_for_update(skip_locked=True)
            ids = builtins.list(await session.scalars(pick))
            if not ids:
                return []
            await session.execute(
                update(d)
                .where(d.c.id.in_(ids), due)
                .values(
                    status="sending",
                    claim_token=token,
                    claimed_at=now,
                    attempts=d.c.attempts + 1,
                )
            )
            claimed = await session.execute(
                select(
                    d.c.id.label("delivery_id"),
                    d.c.channel,
                    d.c.attempts,
                    n.c.id.label("notification_id"),
                    n.c.kind,
                    n.c.subject_ref,
                    n.c.recipient,
                    n.c.context,
                    n.c.created_at,
                    n.c.subject,
                    n.c.text,
                    n.c.html,
                )
                .join(n, n.c.id == d.c.notification_id)
                .where(d.c.claim_token == token)
            )
            return [
                _Claim(
                    delivery_id=row.delivery_id,
                    channel=row.channel,
                    attempts=row.attempts,
                    token=token,
                    notification=Notification(
                        id=row.notification_id,
                        kind=row.kind,
                        subject_ref=row.subject_ref,
                        recipient=row.recipient,
                        context=row.context,
                        created_at=row.created_at,
                    ),
                    rendered=Rendered(row.subject, row.text, row.html),
                )
                for row in claimed
            ]

    # --- sending -------------------------------------------------------------------------------

    async def _deliver(self, claim: _Claim, channels: Mapping[str, Channel]) -> None:
        outcome = await self._attempt(claim, channels)
        DELIVERIES_SENT.labels(claim.channel, outcome.status).inc()
        if outcome.status != "delivered":
            log.warning(
                "notification not delivered",
                extra={
                    "notification_id": claim.notification.id,
                    "channel": claim.channel,
                    "attempt": claim.attempts,
                    "outcome": outcome.status,
                    "error": outcome.error,
                },
            )
        try:
            async with self.db.session() as session:
                await self._record(session, claim, outcome, report=True)
        except Exception:
            log.exception(
                "recording a delivery outcome failed; recording it without the settle hook",
                extra={"notification_id": claim.notification.id, "channel": claim.channel},
            )
            async with self.db.session() as session:
                await self._record(session, claim, outcome, report=False)

    async def _attempt(self, claim: _Claim, channels: Mapping[str, Channel]) -> _Outcome:
        max_attempts = self.notifier.settings.notify_max_attempts
        if claim.attempts > max_attempts:
            return _Outcome(
                "failed",
                f"{claim.channel}: gave up: attempt {claim.attempts - 1} of {max_attempts} never "
                "reported back (its worker stopped mid-send)",
            )
        channel = channels.get(claim.channel)
        if channel is None:
            return _Outcome("failed", f"{claim.channel}: the channel is no longer configured")
        try:
            await channel.send(claim.rendered, claim.notification)
        except Permanent as exc:
            return _Outcome("failed", str(exc))
        except Retryable as exc:
            return self._retry_or_fail(claim, str(exc))
        except Exception as exc:  # a bug in a channel must not stop the dispatcher
            log.exception("channel %s raised unexpectedly", claim.channel)
            return self._retry_or_fail(claim, f"{claim.channel}: {type(exc).__name__}: {exc}")
        return _Outcome("delivered")

    def _retry_or_fail(self, claim: _Claim, error: str) -> _Outcome:
        notifier = self.notifier
        if claim.attempts >= notifier.settings.notify_max_attempts:
            said = error.removeprefix(f"{claim.channel}: ")
            return _Outcome(
                "failed", f"{claim.channel}: gave up after {claim.attempts} attempts: {said}"
            )
        return _Outcome("retry", error, notifier.clock() + notifier.backoff(claim.attempts))

    # --- recording -----------------------------------------------------------------------------

    async def _record(
        self, session: AsyncSession, claim: _Claim, outcome: _Outcome, *, report: bool
    ) -> None:
        """Record the delivery's outcome, then settle its notification when that decides it."""
        d, now = self._d, self.notifier.clock()
        mine = and_(
            d.c.id == claim.delivery_id, d.c.claim_token == claim.token, d.c.status == "sending"
        )
        if outcome.status == "delivered":
            # Delivered is the truth even if a slow send outlived its lease and was re-claimed.
            change = (
                update(d)
                .where(d.c.id == claim.delivery_id, d.c.status != "delivered")
                .values(
                    status="delivered",
                    delivered_at=now,
                    last_error=None,
                    claim_token=None,
                    claimed_at=None,
                )
            )
        elif outcome.status == "retry":
            assert outcome.retry_at is not None
            change = (
                update(d)
                .where(mine)
                .values(
                    status="pending",
                    next_attempt_at=outcome.retry_at,
                    last_error=outcome.error,
                    claim_token=None,
                    claimed_at=None,
                )
            )
        else:
            change = (
                update(d)
                .where(mine)
                .values(
                    status="failed", last_error=outcome.error, claim_token=None, claimed_at=None
                )
            )
        result = await session.execute(change)
        if isinstance(result, CursorResult) and result.rowcount == 1 and outcome.status != "retry":
            await self._settle(session, claim.notification.id, now, report=report)

    async def _settle(
        self, session: AsyncSession, notification_id: str, now: datetime, *, report: bool
    ) -> None:
        n, d = self._n, self._d
        lock = select(n.c.status, n.c.recipient).where(n.c.id == notification_id)
        if self.db.is_postgres:
            lock = lock.with_for_update()  # deliveries of one notification settle one at a time
        current = (await session.execute(lock)).one()
        if current.status != "pending":
            return
        recipient = current.recipient
        rows = (
            await session.execute(
                select(d.c.channel, d.c.status, d.c.last_error, d.c.delivered_at)
                .where(d.c.notification_id == notification_id)
                .order_by(d.c.channel)
            )
        ).all()
        delivered = [r for r in rows if r.status == "delivered"]
        status: SettledStatus
        if delivered:
            status = "delivered"
            delivered_at = min(r.delivered_at for r in delivered)
            detail = "delivered by " + ", ".join(r.channel for r in delivered)
            if recipient:
                detail += f" for {recipient}"
        elif all(r.status == "failed" for r in rows):
            status, delivered_at = "failed", None
            detail = "; ".join(str(r.last_error) for r in rows)  # each names its channel
        else:
            return  # another channel may still deliver
        hook = self.on_settled if report else None
        reported = now if report else None
        await session.execute(
            update(n)
            .where(n.c.id == notification_id, n.c.status == "pending")
            .values(
                status=status,
                detail=detail,
                settled_at=now,
                delivered_at=delivered_at,
                reported_at=reported,
            )
        )
        if hook is not None:
            row = (await session.execute(select(n).where(n.c.id == notification_id))).one()
            await hook(session, _settled(row))


def _settled(row: Row[Any]) -> Settled:
    return Settled(
        notification_id=row.id,
        kind=row.kind,
        subject_ref=row.subject_ref,
        recipient=row.recipient,
        status=row.status,
        delivered_at=row.delivered_at,
        detail=row.detail,
    )
