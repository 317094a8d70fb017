"""The notifier and its dispatcher on SQLite and a real PostgreSQL, delivering to real servers
on 127.0.0.1: delivered once, retried with backoff, failed for good, undeliverable, deduplicated,
settled exactly once (in the transaction that records it), and never sent twice by racing
replicas; plus the daily digest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.tests.test_notify_channels import (
    SECRET,
    Mailbox,
    Receiver,
    free_port,
    receiving,
    smtp_server,
    template_package,
)
from pacbot.cli.devstack import StackInfo
from pacbot.common.db import Database, new_metadata
from pacbot.common.notify import (
    DigestJob,
    Dispatcher,
    Notifier,
    NotifySettings,
    Settled,
    Templates,
    notification_tables,
)

NOTICE = {"asset": "logs", "recipient": "owner", "note": "public bucket"}


class FakeClock:
    """The notifier's clock, moved by the test (backoff without waiting)."""

    def __init__(self) -> None:
        self.now = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Kit:
    """A notifier over one database, a hook that writes in the settling transaction, a clock."""

    db: Database
    notifier: Notifier
    clock: FakeClock
    heard: Table
    settled: list[Settled] = field(default_factory=list)
    hook_failures: int = 0

    async def on_settled(self, session: AsyncSession, outcome: Settled) -> None:
        """Record the outcome in the same transaction (a second call would break the key)."""
        if self.hook_failures:
            self.hook_failures -= 1
            raise RuntimeError("the hook failed this time")
        await session.execute(
            insert(self.heard).values(
                notification_id=outcome.notification_id, status=outcome.status
            )
        )
        self.settled.append(outcome)

    def dispatcher(self, db: Database | None = None) -> Dispatcher:
        return self.notifier.dispatcher(db or self.db, self.on_settled, interval=60)

    async def enqueue(self, recipient: str | None = "owner@example.com", **extra: Any) -> str:
        async with self.db.session() as session:
            made = await self.notifier.enqueue(
                session,
                kind=extra.pop("kind", "fix_notice"),
                subject_ref=extra.pop("subject_ref", "plan-1"),
                recipient=recipient,
                template=extra.pop("template", "notice"),
                context=extra.pop("context", NOTICE),
                **extra,
            )
        assert made is not None
        return made

    async def one(self, notification_id: str) -> dict[str, Any]:
        async with self.db.session() as session:
            [item] = [n for n in await self.notifier.list(session) if n["id"] == notification_id]
        return item

    async def heard_rows(self) -> list[tuple[str, str]]:
        async with self.db.session() as session:
            rows = await session.execute(select(self.heard.c.notification_id, self.heard.c.status))
            return [(r.notification_id, r.status) for r in rows]


def settings(**values: Any) -> NotifySettings:
    base: dict[str, Any] = {"notify_backoff_seconds": 30, "notify_backoff_max_seconds": 100}
    return NotifySettings(**{**base, **values})


@pytest.fixture(params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str
) -> AsyncIterator[Database]:
    """An empty database of either kind, in its own schema / file."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path}/n.db")
    else:
        db = Database(request.getfixturevalue("stack").postgres_url, schema=f"n_{unique}")
    await db.create_schema()
    yield db
    if db.is_postgres:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "n_{unique}" CASCADE'))
    await db.dispose()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/n.db")
    yield db
    await db.dispose()


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Templates:
    return template_package(tmp_path, monkeypatch)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@asynccontextmanager
async def kit_on(
    db: Database, templates: Templates, http: httpx.AsyncClient, config: NotifySettings
) -> AsyncIterator[Kit]:
    metadata: MetaData = new_metadata()
    tables = notification_tables(metadata)
    heard = Table(
        "heard",
        metadata,
        Column("notification_id", String(40), primary_key=True),
        Column("status", String(20)),
    )
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    clock = FakeClock()
    yield Kit(db, Notifier(config, tables, templates, http=http, clock=clock), clock, heard)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with smtp_server(box) as port:
        yield box, port


async def test_an_email_is_delivered_once_and_settled_once(
    database: Database,
    templates: Templates,
    http: httpx.AsyncClient,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    async with kit_on(
        database, templates, http, settings(smtp_host="127.0.0.1", smtp_port=port)
    ) as kit:
        made = await kit.enqueue()
        pending = await kit.one(made)
        assert (pending["status"], pending["subject"]) == ("pending", "Fix planned for logs")
        assert [d["channel"] for d in pending["deliveries"]] == ["email"]
        dispatcher = kit.dispatcher()
        assert (await dispatcher.run_once()).attempted == 1
        assert (await dispatcher.run_once()).attempted == 0
        assert [m["To"] for m in box.messages] == ["owner@example.com"]
        done = await kit.one(made)
        assert done["status"] == "delivered"
        assert done["detail"] == "delivered by email for owner@example.com"
        assert done["delivered_at"] == kit.clock.now
        assert done["deliveries"][0]["attempts"] == 1
        [outcome] = kit.settled
        assert (outcome.notification_id, outcome.status, outcome.kind) == (
            made,
            "delivered",
            "fix_notice",
        )
        assert outcome.delivered_at == kit.clock.now
        assert await kit.heard_rows() == [(made, "delivered")]


async def test_no_channel_is_undeliverable_and_reported_by_the_dispatcher(
    database: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    async with kit_on(database, templates, http, settings(smtp_host="127.0.0.1")) as kit:
        nobody = await kit.enqueue(None)
        team = await kit.enqueue("team-infra")
        stored = await kit.one(team)
        assert stored["status"] == "undeliverable"
        assert stored["detail"] == (
            "'team-infra' is not an email address and no webhook or Slack channel is configured"
        )
        assert (await kit.one(nobody))["detail"].startswith("no recipient")
        assert stored["deliveries"] == []
        assert kit.settled == []  # enqueue never calls the hook
        dispatcher = kit.dispatcher()
        assert (await dispatcher.run_once()).reported == 2
        assert (await dispatcher.run_once()).reported == 0
        assert sorted((s.notification_id, s.status) for s in kit.settled) == sorted(
            [(nobody, "undeliverable"), (team, "undeliverable")]
        )
        assert {s.delivered_at for s in kit.settled} == {None}


async def test_a_dedupe_key_stores_once(
    database: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    async with kit_on(database, templates, http, settings()) as kit:
        first = await kit.enqueue(dedupe_key="plan-1:notice")
        async with database.session() as session:
            again = await kit.notifier.enqueue(
                session,
                kind="fix_notice",
                subject_ref="plan-1",
                recipient="owner@example.com",
                template="notice",
                context=NOTICE,
                dedupe_key="plan-1:notice",
            )
            assert again is None
        kit.clock.advance(1)
        other = await kit.enqueue(dedupe_key="plan-1:reminder-1")
        async with database.session() as session:
            listed = await kit.notifier.list(session, subject_ref="plan-1")
            assert await kit.notifier.list(session, subject_ref="plan-2") == []
        assert [n["id"] for n in listed] == [other, first]  # newest first
        assert [n["dedupe_key"] for n in listed] == ["plan-1:reminder-1", "plan-1:notice"]


async def test_a_deferred_email_is_retried_with_doubling_backoff(
    sqlite_db: Database,
    templates: Templates,
    http: httpx.AsyncClient,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    box.replies = ["451 greylisted", "451 greylisted", "451 greylisted"]
    config = settings(smtp_host="127.0.0.1", smtp_port=port)
    async with kit_on(sqlite_db, templates, http, config) as kit:
        made = await kit.enqueue()
        dispatcher = kit.dispatcher()
        start = kit.clock.now
        waits = []
        for attempt in (1, 2, 3):
            assert (await dispatcher.run_once()).attempted == 1
            [delivery] = (await kit.one(made))["deliveries"]
            assert (delivery["status"], delivery["attempts"]) == ("pending", attempt)
            assert "451 greylisted" in delivery["last_error"]
            waits.append((delivery["next_attempt_at"] - kit.clock.now).total_seconds())
            kit.clock.advance(waits[-1] - 1)
            assert (await dispatcher.run_once()).attempted == 0  # not due yet
            kit.clock.advance(1)
        assert waits == [30, 60, 100]  # 30 * 2**(n-1), capped at 100
        assert kit.settled == []  # nothing is reported before it happened
        assert (await dispatcher.run_once()).attempted == 1
        done = await kit.one(made)
        assert (done["status"], done["deliveries"][0]["attempts"]) == ("delivered", 4)
        assert done["deliveries"][0]["last_error"] is None
        assert len(box.messages) == 1
        assert kit.clock.now > start
        assert [s.status for s in kit.settled] == ["delivered"]


async def test_a_refused_recipient_fails_at_once_and_an_absent_server_after_max_attempts(
    sqlite_db: Database,
    templates: Templates,
    http: httpx.AsyncClient,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    box.replies = ["550 5.1.1 no such user"]
    async with kit_on(
        sqlite_db, templates, http, settings(smtp_host="127.0.0.1", smtp_port=port)
    ) as kit:
        refused = await kit.enqueue("ghost@example.com")
        await kit.dispatcher().run_once()
        failed = await kit.one(refused)
        assert failed["status"] == "failed"
        assert failed["deliveries"][0]["attempts"] == 1
        assert failed["detail"].startswith("email: the relay refused the recipient: 550 5.1.1")
        assert [(s.status, s.delivered_at) for s in kit.settled] == [("failed", None)]

    config = settings(smtp_host="127.0.0.1", smtp_port=free_port(), notify_max_attempts=3)
    async with kit_on(sqlite_db, templates, http, config) as kit:
        kit.notifier.settings.smtp_timeout_seconds = 2
        made = await kit.enqueue()
        dispatcher = kit.dispatcher()
        for _ in range(3):
            assert (await dispatcher.run_once()).attempted == 1
            kit.clock.advance(3600)
        assert (await dispatcher.run_once()).attempted == 0
        gave_up = await kit.one(made)
        assert gave_up["status"] == "failed"
        assert gave_up["deliveries"][0]["attempts"] == 3
        assert gave_up["detail"].startswith(
            "email: gave up after 3 attempts: cannot reach 127.0.0.1"
        )
        assert [s.status for s in kit.settled] == ["failed"]


async def test_one_channel_delivering_settles_delivered_once_across_channels(
    sqlite_db: Database,
    templates: Templates,
    http: httpx.AsyncClient,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    box.replies = ["550 mailbox disabled"]
    receiver = Receiver(statuses=[503])
    async with receiving(receiver) as url:
        config = settings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            webhook_url=f"{url}/hook",
            webhook_secret=SECRET,
            slack_webhook_url=f"{url}/slack",
        )
        async with kit_on(sqlite_db, templates, http, config) as kit:
            made = await kit.enqueue()
            dispatcher = kit.dispatcher()
            await dispatcher.run_once()  # email refused, webhook 503, slack delivered
            item = await kit.one(made)
            states = {d["channel"]: d["status"] for d in item["deliveries"]}
            assert states == {"email": "failed", "webhook": "pending", "slack": "delivered"}
            assert (item["status"], item["detail"]) == (
                "delivered",
                "delivered by slack for owner@example.com",
            )
            kit.clock.advance(30)
            await dispatcher.run_once()  # the webhook delivers too; nothing settles again
            item = await kit.one(made)
            assert {d["channel"]: d["status"] for d in item["deliveries"]}["webhook"] == "delivered"
            assert [s.status for s in kit.settled] == ["delivered"]
            assert await kit.heard_rows() == [(made, "delivered")]
            assert [p["id"] for p in receiver.received] == [made]
            assert "*Fix planned for logs*" in receiver.slack[0]["text"]


async def test_a_failing_hook_keeps_the_outcome_and_is_called_again_until_it_succeeds(
    sqlite_db: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    receiver = Receiver()
    async with receiving(receiver) as url:
        config = settings(webhook_url=f"{url}/hook", webhook_secret=SECRET)
        async with kit_on(sqlite_db, templates, http, config) as kit:
            made = await kit.enqueue()
            kit.hook_failures = 2
            dispatcher = kit.dispatcher()
            await dispatcher.run_once()  # delivered; the hook fails, the delivery is kept
            assert (await kit.one(made))["status"] == "delivered"
            await dispatcher.run_once()  # the hook fails again
            await dispatcher.run_once()  # and then succeeds
            await dispatcher.run_once()
            assert [s.status for s in kit.settled] == ["delivered"]
            assert await kit.heard_rows() == [(made, "delivered")]
            assert len(receiver.received) == 1  # never sent again


async def test_a_claim_whose_worker_died_is_sent_again_after_the_lease(
    sqlite_db: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    receiver = Receiver()
    async with receiving(receiver) as url:
        config = settings(
            webhook_url=f"{url}/hook", webhook_secret=SECRET, notify_lease_seconds=120
        )
        async with kit_on(sqlite_db, templates, http, config) as kit:
            made = await kit.enqueue()
            dead = kit.dispatcher()
            assert len(await dead.claim()) == 1  # ... and the worker dies before sending
            alive = kit.dispatcher()
            assert (await alive.run_once()).attempted == 0  # the lease still holds
            kit.clock.advance(121)
            assert (await alive.run_once()).attempted == 1
            item = await kit.one(made)
            assert (item["status"], item["deliveries"][0]["attempts"]) == ("delivered", 2)
            assert [p["id"] for p in receiver.received] == [made]


async def test_racing_dispatchers_on_postgres_never_send_twice(
    stack: StackInfo, unique: str, templates: Templates, http: httpx.AsyncClient
) -> None:
    """Two replicas (own engines) drain one PostgreSQL database at once."""
    db = Database(stack.postgres_url, schema=f"n_{unique}")
    await db.create_schema()
    other = Database(stack.postgres_url, schema=f"n_{unique}")
    receiver = Receiver(delay=0.005)
    try:
        async with receiving(receiver) as url:
            config = settings(webhook_url=f"{url}/hook", webhook_secret=SECRET)
            async with kit_on(db, templates, http, config) as kit:
                made = {await kit.enqueue(subject_ref=f"plan-{n}") for n in range(30)}
                first = Dispatcher(kit.notifier, db, kit.on_settled, 60, batch=7)
                second = Dispatcher(kit.notifier, other, kit.on_settled, 60, batch=7)
                attempted = [0, 0]
                for _ in range(10):
                    passes = await asyncio.gather(first.run_once(), second.run_once())
                    attempted = [a + p.attempted for a, p in zip(attempted, passes, strict=True)]
                    if not any(p.attempted for p in passes):
                        break
                assert min(attempted) > 0  # both replicas really worked
                assert sum(attempted) == 30
                sent = [p["id"] for p in receiver.received]
                assert sorted(sent) == sorted(made)  # each once
                assert sorted(s.notification_id for s in kit.settled) == sorted(made)
                assert len(await kit.heard_rows()) == 30
                # the claim itself is conditional: a row claimed elsewhere is not claimed again
                await kit.enqueue(subject_ref="plan-last")
                claims = await asyncio.gather(first.claim(), second.claim())
                assert sorted(len(c) for c in claims) == [0, 1]
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "n_{unique}" CASCADE'))
        await db.dispose()
        await other.dispose()


async def test_a_daily_digest_is_enqueued_once_per_recipient_and_day(
    database: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    async with kit_on(database, templates, http, settings(smtp_host="127.0.0.1")) as kit:
        asked: list[datetime] = []

        async def collect(
            session: AsyncSession, since: datetime
        ) -> dict[str, list[dict[str, Any]]]:
            asked.append(since)
            return {
                "alice@example.com": [{"name": "bucket logs"}, {"name": "queue q1"}],
                "bob@example.com": [{"name": "bucket web"}],
                "carol@example.com": [],
            }

        job = DigestJob(
            kit.notifier, database, collect, template="digest", interval=60, clock=kit.clock
        )
        twin = DigestJob(
            kit.notifier, database, collect, template="digest", interval=60, clock=kit.clock
        )
        assert await job.run_once() == 2
        assert await twin.run_once() == 0  # another replica, the same day
        kit.clock.advance(3600)
        assert await job.run_once() == 0  # later that day
        assert asked[0] == datetime(2031, 5, 17, tzinfo=UTC)
        async with database.session() as session:
            digests = await kit.notifier.list(session, recipient="alice@example.com")
        [digest] = digests
        assert (digest["kind"], digest["subject"]) == ("digest", "2 open items on 2031-05-17")
        assert digest["dedupe_key"] == "digest:alice@example.com:2031-05-17"
        kit.clock.advance(24 * 3600)
        assert await job.run_once() == 2  # a new day
        async with database.session() as session:
            count = await session.scalar(
                select(func.count()).select_from(kit.notifier.notifications)
            )
        assert count == 4


async def test_stop_lets_the_pass_in_flight_record_its_outcome(
    sqlite_db: Database, templates: Templates, http: httpx.AsyncClient
) -> None:
    receiver = Receiver(delay=0.3)
    async with receiving(receiver) as url:
        config = settings(webhook_url=f"{url}/hook", webhook_secret=SECRET)
        async with kit_on(sqlite_db, templates, http, config) as kit:
            made = await kit.enqueue()
            dispatcher = kit.notifier.dispatcher(sqlite_db, kit.on_settled, interval=0.01)
            dispatcher.start()
            await asyncio.sleep(0.1)  # the send is in flight
            await dispatcher.stop()
            assert (await kit.one(made))["status"] == "delivered"
            assert [s.status for s in kit.settled] == ["delivered"]
            async with sqlite_db.session() as session:
                await session.execute(
                    update(kit.notifier.deliveries).values(status="pending")
                )  # nothing runs after stop
            await asyncio.sleep(0.05)
            assert len(receiver.received) == 1
