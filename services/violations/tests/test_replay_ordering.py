"""Exactly once in effect: replayed, duplicated and out-of-order events never change the outcome.

- a whole stream applied by two fresh services (SQLite and PostgreSQL) gives identical tables
  and identical violation events (envelope ids and wall-clock times aside, sequence included);
- the stream delivered again (new envelope ids), or one envelope delivered twice, changes nothing;
- every permutation tried of one asset's history ends in the same live state as in order.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from pacbot.common.db import Database
from pacbot.common.events import (
    EVALUATIONS_TOPIC,
    VIOLATIONS_TOPIC,
    AssetSummary,
    Envelope,
    EventData,
    ExceptionChanged,
    ExceptionCriteria,
    PolicyResult,
)
from pacbot.common.migrations import upgrade
from pacbot.common.outbox import Outbox
from pacbot.violations.app import MIGRATIONS
from pacbot.violations.lifecycle.consumers import event_handler
from pacbot.violations.models import (
    INBOX,
    OUTBOX,
    ResultRow,
    ViolationEpisode,
    ViolationRow,
)
from services.violations.tests.conftest import POLICIES, T0, ViolationsKit
from services.violations.tests.test_lifecycle import PostgresKit, policies_changed

PUBLIC, ENCRYPTION = list(POLICIES)
STATUSES = ("pass", "fail", "fail", "error", "not_applicable")


def _asset(name: str, **tags: str) -> AssetSummary:
    return AssetSummary(
        asset_id=f"arn:aws:s3:::{name}",
        account_id="111111111111",
        region="us-east-1",
        resource_type="aws.s3.bucket",
        name=name,
        tags=tags,
        owner="team@example.com",
    )


def _sticky(kind: str, minute: int, days: int = 2) -> ExceptionChanged:
    return ExceptionChanged(
        event_type=f"pacbot.exception.{kind}",  # type: ignore[arg-type]
        exception_id="st-exempt",
        kind="sticky",
        policy_ids=[PUBLIC],
        criteria=ExceptionCriteria(tags={"exempt": "yes"}),
        reason="r",
        requester="alice",
        expires_at=T0 + timedelta(days=days),
        occurred_at=T0 + timedelta(minutes=minute),
    )


def the_stream(kit: ViolationsKit) -> list[EventData]:
    """Three buckets through every transition, exceptions and a policy change."""
    a, b, c = _asset("a"), _asset("b", exempt="yes"), _asset("c")
    return [
        kit.evaluated(1, 0, a, public="fail", encryption="fail"),
        kit.evaluated(1, 0, b, public="fail", encryption="pass"),
        _sticky("granted", 1),
        kit.evaluated(1, 2, c, public="error", encryption="fail"),
        kit.exception("granted", "ex-a", 3),  # the conftest's exception names arn:aws:s3:::logs
        kit.evaluated(2, 4, a, public="pass", encryption="fail"),
        kit.evaluated(2, 5, c, public="fail", encryption="fail"),
        kit.deleted(2, 6, b.asset_id),
        kit.evaluated(3, 7, a, public="fail", encryption="not_applicable"),
        policies_changed(8, disabled_policy_ids=[ENCRYPTION]),
        _sticky("revoked", 9),
        kit.evaluated(3, 10, c, public="pass", encryption="fail"),
    ]


def _plain(row: Any) -> dict[str, Any]:
    values = {col.key: getattr(row, col.key) for col in row.__table__.columns}
    return {
        k: (v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v)
        for k, v in values.items()
    }


async def tables(kit: ViolationsKit) -> dict[str, list[dict[str, Any]]]:
    """The violations, episodes and results tables, as plain sorted rows."""
    out: dict[str, list[dict[str, Any]]] = {}
    async with kit._app.state.runtime.db.session() as session:
        for model in (ViolationRow, ViolationEpisode, ResultRow):
            rows = [_plain(r) for r in await session.scalars(select(model))]
            out[model.__tablename__] = sorted(rows, key=repr)
    return out


def emitted(kit: ViolationsKit) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """Violation events per key, in order: (type, subject, data); no envelope id, time, source."""
    per_key: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for message in kit.bus.messages(VIOLATIONS_TOPIC):
        envelope = Envelope.decode(message.value)
        per_key.setdefault(message.key or "", []).append(
            (envelope.type, envelope.subject, envelope.data)
        )
    return per_key


@pytest.fixture
async def postgres_kit(tmp_path: Path, stack: Any, unique: str) -> AsyncIterator[PostgresKit]:
    kit = PostgresKit(tmp_path / "pg", stack.postgres_url, f"v_{unique}")
    try:
        yield kit
    finally:
        await kit.drop()


async def test_replay_of_the_stream_on_two_fresh_services_is_identical(
    tmp_path: Path, postgres_kit: PostgresKit
) -> None:
    sqlite_kit = ViolationsKit(tmp_path)
    results = []
    for kit in (sqlite_kit, postgres_kit):
        async with kit.running(kit.app()):
            await kit.publish(*the_stream(kit))
            results.append((await tables(kit), emitted(kit)))
    (tables_a, events_a), (tables_b, events_b) = results
    assert tables_a == tables_b
    assert events_a == events_b
    sequences = {key: [d["sequence"] for _, _, d in events] for key, events in events_a.items()}
    assert all(seq == list(range(1, len(seq) + 1)) for seq in sequences.values()), sequences
    assert sum(len(s) for s in sequences.values()) >= 10
    kinds = {t.rsplit(".", 1)[-1] for events in events_a.values() for t, _, _ in events}
    assert kinds == {"opened", "exempted", "reopened", "closed"}


async def test_replay_redelivered_stream_and_duplicate_ids_change_nothing(
    kit: ViolationsKit, client: Any
) -> None:
    stream = the_stream(kit)
    await kit.publish(*stream)
    before, events_before = await tables(kit), emitted(kit)
    await kit.publish(*stream)  # the whole stream again, with new envelope ids
    await kit.publish(*reversed(stream))  # and once more, backwards
    assert await tables(kit) == before
    assert emitted(kit) == events_before

    late = kit.evaluated(4, 20, _asset("a"), public="pass")
    envelope = Envelope.wrap(late, source="test", subject=late.asset.asset_id)
    for _ in range(3):  # one event id delivered three times: the inbox applies it once
        await kit.bus.publish(EVALUATIONS_TOPIC, envelope, key=late.asset.asset_id)
    await kit.settle()
    runtime = kit._app.state.runtime
    async with runtime.db.session() as session:
        seen = await session.scalar(
            select(func.count())
            .select_from(INBOX.table)
            .where(INBOX.table.c.event_id == envelope.id)
        )
    assert seen == 1
    closed = [
        d
        for events in emitted(kit).values()
        for t, _, d in events
        if d["occurred_at"].startswith("2026-03-01T00:20")
    ]
    assert [(d["status"], d["close_reason"]) for d in closed] == [("closed", "fixed")]


# --- shuffled histories -------------------------------------------------------------------


def history(rng: random.Random, name: str) -> list[EventData]:
    """One asset's events in the order its producers made them: versions only go up."""
    kit = ViolationsKit(Path("."))
    events: list[EventData] = []
    version, minute = 0, 0
    for _ in range(rng.randint(3, 9)):
        version += 1
        minute += rng.randint(1, 900)
        if rng.random() < 0.15:
            events.append(kit.deleted(version, minute, f"arn:aws:s3:::{name}"))
            continue
        tags = {"exempt": "yes"} if rng.random() < 0.5 else {}
        statuses = {"public": rng.choice(STATUSES), "encryption": rng.choice(STATUSES)}
        events.append(kit.evaluated(version, minute, _asset(name, **tags), **statuses))
        if rng.random() < 0.2:  # the same version re-evaluated after a policy change
            again = {"public": rng.choice(STATUSES)}
            events.append(kit.evaluated(version, minute + 1, _asset(name, **tags), **again))
    return events


def renamed(events: list[EventData], name: str) -> list[EventData]:
    """The same history for another asset id, so both orders share one database."""
    asset_id = f"arn:aws:s3:::{name}"
    out: list[EventData] = []
    for event in events:
        asset = event.asset.model_copy(update={"asset_id": asset_id, "name": name})  # type: ignore[union-attr]
        out.append(event.model_copy(update={"asset": asset}))
    return out


class Harness:
    """The handler applied as the runtime applies it: inbox row and change in one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.handle = event_handler(Outbox(OUTBOX.table, source="violations"))

    async def apply(self, event: EventData) -> None:
        envelope = Envelope.wrap(event, source="test", subject="s")
        async with self.db.session() as session:
            if await INBOX.first_time(session, "violations", envelope.id):
                await self.handle(session, envelope)

    async def live_state(self, name: str) -> tuple[Any, Any]:
        """Live results and live violations of one asset, by policy: what must converge."""
        asset_id = f"arn:aws:s3:::{name}"
        async with self.db.session() as session:
            results = {
                r.policy_id: (r.status, r.reason, r.asset_version)
                for r in await session.scalars(
                    select(ResultRow).where(
                        ResultRow.asset_id == asset_id, ResultRow.deleted.is_(False)
                    )
                )
            }
            violations = {
                v.policy_id: (v.status, v.exception_id, v.reason, v.asset_version)
                for v in await session.scalars(
                    select(ViolationRow).where(
                        ViolationRow.asset_id == asset_id,
                        ViolationRow.status.in_(("open", "exempted")),
                    )
                )
            }
        return results, violations


async def _shuffle_trials(db: Database, trials: int, seed: int) -> int:
    await upgrade(db, MIGRATIONS)
    harness = Harness(db)
    await harness.apply(_sticky("granted", 0, days=3))  # expires in the middle of histories
    rng = random.Random(seed)
    differing_orders = 0
    for trial in range(trials):
        events = history(rng, f"h{trial}-in-order")
        for event in events:
            await harness.apply(event)
        expected = await harness.live_state(f"h{trial}-in-order")
        shuffled = rng.sample(events, len(events))
        differing_orders += shuffled != events
        for event in renamed(shuffled, f"h{trial}-shuffled"):
            await harness.apply(event)
        assert await harness.live_state(f"h{trial}-shuffled") == expected, (trial, events, shuffled)
    async with db.session() as session:  # keep the outbox from growing across trials
        await session.execute(delete(OUTBOX.table))
    return differing_orders


async def test_replay_shuffled_histories_end_in_the_in_order_state_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/shuffle.db")
    try:
        assert await _shuffle_trials(db, trials=50, seed=20261128) > 35
    finally:
        await db.dispose()


async def test_replay_shuffled_histories_end_in_the_in_order_state_postgres(
    stack: Any, unique: str
) -> None:
    db = Database(stack.postgres_url, schema=f"vs_{unique}")
    try:
        assert await _shuffle_trials(db, trials=15, seed=7) > 10
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "vs_{unique}" CASCADE'))
        await db.dispose()


async def test_replay_one_event_applied_concurrently_twice_on_postgres(
    stack: Any, unique: str
) -> None:
    """Two consumers racing on one event id: the inbox row and the change commit together, so
    the loser's whole transaction rolls back and it changes nothing."""
    db = Database(stack.postgres_url, schema=f"vc_{unique}")
    try:
        await upgrade(db, MIGRATIONS)
        handle = event_handler(Outbox(OUTBOX.table, source="violations"))
        kit = ViolationsKit(Path("."))
        envelope = Envelope.wrap(kit.evaluated(1, 0, public="fail"), source="test", subject="s")

        async def redelivered() -> None:
            async with db.session() as session:
                if await INBOX.first_time(session, "violations", envelope.id):
                    await handle(session, envelope)

        async with db.session() as session:
            assert await INBOX.first_time(session, "violations", envelope.id)
            racer = asyncio.create_task(redelivered())  # blocks on the inbox row's key
            await asyncio.sleep(0.5)
            assert not racer.done()
            await handle(session, envelope)
        with pytest.raises(IntegrityError):
            await racer  # the bus retries it, and then the inbox says "seen"
        await redelivered()
        async with db.session() as session:
            staged = await session.scalar(select(func.count()).select_from(OUTBOX.table))
            violations = await session.scalar(select(func.count()).select_from(ViolationRow))
        assert (staged, violations) == (1, 1)
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "vc_{unique}" CASCADE'))
        await db.dispose()


def test_policy_results_of_the_stream_cover_every_status() -> None:
    statuses = {
        r.status
        for e in the_stream(ViolationsKit(Path(".")))
        for r in getattr(e, "results", [])
        if isinstance(r, PolicyResult)
    }
    assert statuses == {"pass", "fail", "error", "not_applicable"}
