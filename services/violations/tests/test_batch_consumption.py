"""A batch in one transaction gives exactly the state and events of its events applied one by
one: several evaluations of one asset, interleaved deletions, exceptions and policy changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pacbot.common.events import Envelope, EventData
from pacbot.violations.lifecycle.consumers import batch_handler, event_handler
from pacbot.violations.models import INBOX
from services.violations.tests.conftest import ViolationsKit
from services.violations.tests.test_lifecycle import PostgresKit
from services.violations.tests.test_replay_ordering import (
    _asset,
    _sticky,
    emitted,
    tables,
    the_stream,
)


def mixed_stream(kit: ViolationsKit) -> list[EventData]:
    """The replay stream, then one asset evaluated again and again around its deletion."""
    a, d = _asset("a"), _asset("d", exempt="yes")
    return [
        *the_stream(kit),
        kit.evaluated(4, 11, a, public="fail", encryption="fail"),
        kit.evaluated(4, 12, a, public="pass"),
        kit.evaluated(4, 11, a, public="fail"),  # late: decides nothing
        kit.evaluated(1, 11, d, public="fail"),
        _sticky("granted", 12),
        kit.evaluated(1, 13, d, public="fail"),  # now exempted
        kit.deleted(4, 14, a.asset_id),
        kit.evaluated(4, 15, a, public="fail"),  # a deleted version: ignored
        kit.evaluated(5, 16, a, public="fail"),  # the asset is back
        kit.evaluated(5, 17, a, public="pass"),
        kit.evaluated(6, 18, a, public="fail"),
    ]


async def _applied(kit: ViolationsKit, batched: bool) -> tuple[Any, Any]:
    async with kit.running(kit.app()):
        runtime = kit._app.state.runtime
        envelopes = [Envelope.wrap(e, source="test", subject="s") for e in mixed_stream(kit)]
        if batched:
            handle_batch = batch_handler(runtime.outbox)
            async with runtime.db.session() as session:
                fresh = await INBOX.first_times(session, "violations", [e.id for e in envelopes])
                assert len(fresh) == len(envelopes)
                await handle_batch(session, envelopes)
        else:
            handle = event_handler(runtime.outbox)
            for envelope in envelopes:
                async with runtime.db.session() as session:
                    await handle(session, envelope)
        await kit.settle()
        return await tables(kit), emitted(kit)


async def _compare(one: ViolationsKit, batch: ViolationsKit) -> None:
    state, events = await _applied(one, batched=False)
    assert sum(len(e) for e in events.values()) > 10  # the stream does move violations
    assert await _applied(batch, batched=True) == (state, events)


async def test_a_batch_equals_its_events_one_by_one_sqlite(tmp_path: Path) -> None:
    await _compare(ViolationsKit(tmp_path / "one"), ViolationsKit(tmp_path / "batch"))


async def test_a_batch_equals_its_events_one_by_one_postgres(
    tmp_path: Path, stack: Any, unique: str
) -> None:
    one = PostgresKit(tmp_path / "one", stack.postgres_url, f"v1_{unique}")
    batch = PostgresKit(tmp_path / "batch", stack.postgres_url, f"v2_{unique}")
    try:
        await _compare(one, batch)
    finally:
        await one.drop()
        await batch.drop()
