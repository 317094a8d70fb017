"""Violation lifecycle driven by events: open, exempt, re-open, close, delete, replay.

The ``dual`` fixtures run a test on SQLite and on the real PostgreSQL (its own schema).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from pacbot.common.db import Database
from pacbot.common.events import FixChanged, PoliciesChanged
from pacbot.common.runtime import SharedInfra
from pacbot.violations.app import create_app
from pacbot.violations.lifecycle.transitions import TIMELINE_LIMIT, violation_id
from pacbot.violations.models import ResultRow, ViolationEpisode
from pacbot.violations.settings import ViolationsSettings
from services.violations.tests.conftest import T0, ViolationsKit

M = TypeVar("M")


class PostgresKit(ViolationsKit):
    """The same kit on the real PostgreSQL, in a schema (and consumer group) of its own."""

    def __init__(self, tmp_path: Path, postgres_url: str, schema: str) -> None:
        super().__init__(tmp_path)
        self.postgres_url = postgres_url
        self.schema = schema

    def app(self) -> FastAPI:
        settings = ViolationsSettings(
            database_url=self.postgres_url, bus="memory", log_json=False, service_name=self.schema
        )
        return create_app(settings, shared=SharedInfra(bus=self.bus))

    async def drop(self) -> None:
        db = Database(self.postgres_url)
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        await db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def dual_kit(
    request: pytest.FixtureRequest, tmp_path: Path, unique: str
) -> AsyncIterator[ViolationsKit]:
    """A kit on SQLite, then on the real PostgreSQL."""
    if request.param == "sqlite":
        yield ViolationsKit(tmp_path)
        return
    kit = PostgresKit(tmp_path, request.getfixturevalue("stack").postgres_url, f"v_{unique}")
    try:
        yield kit
    finally:
        await kit.drop()


@pytest.fixture
async def dual_client(dual_kit: ViolationsKit) -> AsyncIterator[httpx.AsyncClient]:
    async with dual_kit.running(dual_kit.app()) as c:
        yield c


async def rows_of(kit: ViolationsKit, model: type[M]) -> list[M]:
    """Every row of one of the service's tables."""
    async with kit._app.state.runtime.db.session() as session:
        return list(await session.scalars(select(model)))


def policies_changed(minute: int, **lists: list[str]) -> PoliciesChanged:
    ids = [p for ps in lists.values() for p in ps]
    return PoliciesChanged(
        policy_ids=ids,
        resource_types=["aws.s3.bucket"],
        occurred_at=T0 + timedelta(minutes=minute),
        **lists,
    )


async def violation(client: httpx.AsyncClient, vid: str) -> dict[str, Any]:
    response = await client.get(f"/violations/{vid}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def vid_of(kit: Any, policy_id: str | None = None) -> str:
    return violation_id(kit.bucket, policy_id or kit.public)


async def test_violation_id_is_the_contract_hash() -> None:
    import hashlib

    expected = "v-" + hashlib.sha256(b"arn:aws:s3:::b|p").hexdigest()[:20]
    assert violation_id("arn:aws:s3:::b", "p") == expected


async def test_fail_opens_and_event_carries_asset_and_policy(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail", encryption="pass"))
    [change] = kit.changes()
    assert change.event_type == "pacbot.violation.opened"
    assert change.violation_id == vid_of(kit)
    assert change.asset.owner == "team@example.com"
    assert change.policy.autofix is not None
    assert change.policy.autofix.grace_seconds == 2
    assert (change.episode, change.asset_version) == (1, 1)
    message = kit.bus.messages("pacbot.violations.v1")[0]
    assert message.key == change.violation_id
    body = await violation(client, vid_of(kit))
    assert body["status"] == "open"
    assert body["severity"] == "critical"
    assert body["opened_at"] == "2026-03-01T00:00:00Z"
    assert [e["event"] for e in body["timeline"]] == ["opened"]


async def test_open_exempt_reopen_close(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("granted", "ex-1", 1))
    exempted = await violation(client, vid_of(kit))
    assert (exempted["status"], exempted["exception_id"]) == ("exempted", "ex-1")
    await kit.publish(kit.evaluated(2, 2, public="fail"))  # still failing: stays exempted
    await kit.publish(kit.exception("revoked", "ex-1", 3))
    reopened = await violation(client, vid_of(kit))
    assert (reopened["status"], reopened["exception_id"], reopened["episode"]) == ("open", None, 1)
    await kit.publish(kit.evaluated(3, 4, public="pass"))
    closed = await violation(client, vid_of(kit))
    assert (closed["status"], closed["close_reason"]) == ("closed", "fixed")
    assert closed["closed_at"] == "2026-03-01T00:04:00Z"
    assert kit.transitions() == [
        ("opened", "open"),
        ("exempted", "exempted"),
        ("reopened", "open"),
        ("closed", "closed"),
    ]
    assert [e["event"] for e in closed["timeline"]] == [
        "opened",
        "exempted",
        "unexempted",
        "reopened",
        "closed",
    ]
    assert closed["timeline"][1]["detail"] == "by exception ex-1"
    assert closed["timeline"][2]["detail"] == "exception ex-1 revoked"
    assert closed["timeline"][4]["detail"] == "fixed: public is pass"


async def test_active_exception_exempts_a_new_failure_at_once(kit: Any, client: Any) -> None:
    await kit.publish(kit.exception("granted", "ex-1", 0))
    await kit.publish(kit.evaluated(1, 1, public="fail", encryption="fail"))
    public = await violation(client, vid_of(kit))
    encryption = await violation(client, vid_of(kit, kit.encryption))
    assert (public["status"], public["exception_id"]) == ("exempted", "ex-1")
    assert encryption["status"] == "open"
    assert sorted(kit.transitions()) == [("exempted", "exempted"), ("opened", "open")]


async def test_expired_exception_does_not_exempt(kit: Any, client: Any) -> None:
    await kit.publish(kit.exception("granted", "ex-old", 0, days=1))
    await kit.publish(kit.evaluated(1, 60 * 24 * 2, public="fail"))
    assert (await violation(client, vid_of(kit)))["status"] == "open"


async def test_exception_ending_after_fix_closes_as_fixed(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("granted", "ex-1", 1))
    await kit.publish(kit.evaluated(2, 2, public="pass"))  # pass closes even when exempted
    await kit.publish(kit.exception("expired", "ex-1", 3))
    body = await violation(client, vid_of(kit))
    assert (body["status"], body["close_reason"]) == ("closed", "fixed")
    assert [t for t, _ in kit.transitions()] == ["opened", "exempted", "closed"]


async def test_revoked_exception_falls_back_to_another_covering_one(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("granted", "ex-1", 1))
    await kit.publish(kit.exception("granted", "ex-2", 2))
    await kit.publish(kit.exception("revoked", "ex-1", 3))
    body = await violation(client, vid_of(kit))
    assert (body["status"], body["exception_id"]) == ("exempted", "ex-2")


async def test_reopen_after_close_keeps_id_and_bumps_episode(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.evaluated(2, 1, public="pass"))
    await kit.publish(kit.evaluated(3, 2, public="fail"))
    body = await violation(client, vid_of(kit))
    assert (body["status"], body["episode"], body["close_reason"]) == ("open", 2, None)
    assert body["opened_at"] == "2026-03-01T00:02:00Z"
    changes = kit.changes()
    assert [c.event_type.rsplit(".", 1)[-1] for c in changes] == ["opened", "closed", "reopened"]
    assert {c.violation_id for c in changes} == {vid_of(kit)}
    assert changes[-1].episode == 2


async def test_delete_closes_as_asset_deleted_and_late_evaluations_are_ignored(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail", encryption="fail"))
    await kit.publish(kit.exception("granted", "ex-1", 1))
    await kit.publish(kit.deleted(1, 2))
    for policy in (kit.public, kit.encryption):
        body = await violation(client, vid_of(kit, policy))
        assert (body["status"], body["close_reason"]) == ("closed", "asset_deleted")
    await kit.publish(kit.evaluated(1, 3, public="fail"))  # late, same version as the deletion
    assert (await violation(client, vid_of(kit)))["status"] == "closed"
    summary = (await client.get("/compliance/summary")).json()
    assert summary["evaluated_assets"] == 0
    assert summary["closed"] == 2
    await kit.publish(kit.evaluated(2, 4, public="fail"))  # the asset came back
    back = await violation(client, vid_of(kit))
    assert (back["status"], back["episode"], back["exception_id"]) == ("exempted", 2, "ex-1")


async def test_error_and_not_applicable_open_and_close_nothing(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="error", encryption="not_applicable"))
    assert kit.changes() == []
    assert (await client.get("/violations")).json()["total"] == 0
    await kit.publish(kit.evaluated(2, 1, public="fail"))
    await kit.publish(kit.evaluated(3, 2, public="error"))
    assert (await violation(client, vid_of(kit)))["status"] == "open"
    assert kit.transitions() == [("opened", "open")]


async def test_stale_evaluation_is_ignored(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(5, 0, public="pass"))
    await kit.publish(kit.evaluated(4, 1, public="fail"))
    assert kit.changes() == []
    assert (await client.get(f"/violations/{vid_of(kit)}")).status_code == 404


async def test_replaying_evaluations_changes_nothing(kit: Any, client: Any) -> None:
    events = [
        kit.evaluated(1, 0, public="fail", encryption="fail"),
        kit.evaluated(2, 1, public="pass", encryption="fail"),
        kit.evaluated(3, 2, public="fail", encryption="fail"),
    ]
    await kit.publish(*events)
    before = (await client.get("/violations")).json()
    emitted = len(kit.changes())
    await kit.publish(*events)  # a second delivery, with new event ids
    await kit.publish(events[-1])
    after = (await client.get("/violations")).json()
    assert after == before
    assert len(kit.changes()) == emitted == 4


async def test_disabling_a_policy_closes_its_violations_and_re_enabling_reopens(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail", encryption="fail"))
    disabled = PoliciesChanged(
        policy_ids=[kit.public],
        resource_types=["aws.s3.bucket"],
        disabled_policy_ids=[kit.public],
        occurred_at=T0 + timedelta(minutes=1),
    )
    await kit.publish(disabled)
    body = await violation(client, vid_of(kit))
    assert (body["status"], body["close_reason"]) == ("closed", "policy_disabled")
    still = await violation(client, vid_of(kit, kit.encryption))
    assert still["status"] == "open"
    summary = (await client.get("/compliance/summary")).json()
    assert kit.public not in {p["policy_id"] for p in summary["policies"]}

    await kit.publish(kit.evaluated(1, 2, public="fail"))  # the replay after re-enabling
    body = await violation(client, vid_of(kit))
    assert (body["status"], body["episode"]) == ("open", 2)


async def test_sequence_episodes_and_timeline_across_every_transition(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    await kit.publish(kit.evaluated(1, 0, public="fail"))  # opened, episode 1
    await kit.publish(kit.evaluated(2, 10, public="pass"))  # closed fixed
    await kit.publish(kit.exception("granted", "ex-1", 15))
    await kit.publish(kit.evaluated(3, 20, public="fail"))  # exempted from closed: episode 2
    await kit.publish(kit.exception("expired", "ex-1", 30))  # un-exempted, re-opened
    await kit.publish(kit.deleted(4, 40))  # closed asset_deleted
    changes = kit.changes()
    assert [(c.event_type.rsplit(".", 1)[-1], c.episode, c.sequence) for c in changes] == [
        ("opened", 1, 1),
        ("closed", 1, 2),
        ("exempted", 2, 3),
        ("reopened", 2, 4),
        ("closed", 2, 5),
    ]
    assert [c.close_reason for c in changes if c.status == "closed"] == ["fixed", "asset_deleted"]
    body = await violation(dual_client, vid_of(kit))
    assert [(e["event"], e["detail"]) for e in body["timeline"]] == [
        ("opened", "public is fail"),
        ("closed", "fixed: public is pass"),
        ("exempted", "by exception ex-1"),
        ("unexempted", "exception ex-1 expired"),
        ("reopened", "still failing: public is fail"),
        ("closed", "asset deleted"),
    ]
    episodes = sorted(await rows_of(kit, ViolationEpisode), key=lambda e: e.episode)
    assert [(e.episode, e.close_reason) for e in episodes] == [(1, "fixed"), (2, "asset_deleted")]
    assert [e.opened_at.replace(tzinfo=None) for e in episodes] == [
        (T0 + timedelta(minutes=m)).replace(tzinfo=None) for m in (0, 20)
    ]
    assert [e.closed_at.replace(tzinfo=None) for e in episodes if e.closed_at] == [
        (T0 + timedelta(minutes=m)).replace(tzinfo=None) for m in (10, 40)
    ]


async def test_error_result_is_stored_with_its_reason_and_decides_nothing(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.evaluated(2, 1, public="error"))
    [result] = await rows_of(kit, ResultRow)
    assert (result.status, result.reason, result.asset_version) == ("error", "public is error", 2)
    body = await violation(dual_client, vid_of(kit))
    assert (body["status"], body["reason"]) == ("open", "public is fail")
    await kit.publish(kit.evaluated(1, 0, public="fail"))  # a replay behind the error: no change
    assert kit.transitions() == [("opened", "open")]


async def test_late_verdict_behind_a_newer_error_still_decides(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(2, 1, public="error"))
    await kit.publish(kit.evaluated(1, 0, public="fail"))  # older, but the only verdict so far
    assert kit.transitions() == [("opened", "open")]
    [result] = await rows_of(kit, ResultRow)
    assert (result.status, result.asset_version) == ("error", 2)
    await kit.publish(kit.evaluated(3, 2, public="pass"))
    await kit.publish(kit.evaluated(1, 0, public="fail"))  # stale now: the pass is newer
    assert kit.transitions() == [("opened", "open"), ("closed", "closed")]


async def test_same_version_re_evaluated_later_decides_and_earlier_one_does_not(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 5, public="pass"))
    await kit.publish(kit.evaluated(1, 0, public="fail"))  # same version, evaluated earlier
    assert kit.changes() == []
    await kit.publish(kit.evaluated(1, 9, public="fail"))  # same version after a policy change
    assert kit.transitions() == [("opened", "open")]


async def test_timeline_is_bounded_and_keeps_how_it_began(kit: Any, client: Any) -> None:
    for i in range(60):
        await kit.publish(kit.evaluated(i + 1, i, public="fail" if i % 2 == 0 else "pass"))
    body = await violation(client, vid_of(kit))
    assert len(body["timeline"]) == TIMELINE_LIMIT
    assert body["timeline"][0] == {
        "at": "2026-03-01T00:00:00Z",
        "event": "opened",
        "detail": "public is fail",
    }
    assert body["timeline"][-1]["detail"] == "fixed: public is pass"
    assert body["episode"] == 30
    assert kit.changes()[-1].sequence == 60


async def test_removed_policy_closes_as_policy_removed_and_drops_results(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    await kit.publish(kit.evaluated(1, 0, public="fail", encryption="fail"))
    await kit.publish(policies_changed(5, removed_policy_ids=[kit.public]))
    body = await violation(dual_client, vid_of(kit))
    assert (body["status"], body["close_reason"]) == ("closed", "policy_removed")
    assert (await violation(dual_client, vid_of(kit, kit.encryption)))["status"] == "open"
    assert {r.policy_id for r in await rows_of(kit, ResultRow)} == {kit.encryption}
    await kit.publish(kit.evaluated(2, 4, public="fail"))  # evaluated before the removal
    assert (await violation(dual_client, vid_of(kit)))["status"] == "closed"
    assert {r.policy_id for r in await rows_of(kit, ResultRow)} == {kit.encryption}
    [closed] = [c for c in kit.changes() if c.status == "closed"]
    assert (closed.close_reason, closed.sequence) == ("policy_removed", 2)


async def test_a_late_disable_leaves_a_re_evaluated_violation_alone(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 10, public="fail"))
    await kit.publish(policies_changed(5, disabled_policy_ids=[kit.public]))  # before that eval
    assert (await violation(client, vid_of(kit)))["status"] == "open"
    assert [r.policy_id for r in await rows_of(kit, ResultRow)] == [kit.public]


async def test_autofix_notices_appear_as_reminders_on_live_violations_only(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    vid = vid_of(kit)

    def notice(event_type: str, minute: int) -> FixChanged:
        return FixChanged.model_validate(
            {
                "event_type": event_type,
                "plan_id": "plan-1",
                "violation_id": vid,
                "asset_id": kit.asset().asset_id,
                "policy_id": "aws-s3-bucket-public-access",
                "action": "s3-block-public-access",
                "dry_run": False,
                "detail": "fix due 2026-03-02T00:00:00Z",
                "occurred_at": T0 + timedelta(minutes=minute),
            }
        )

    await kit.publish(notice("pacbot.fix.planned", 1), notice("pacbot.fix.notified", 2))
    reminded = await violation(client, vid)
    assert [e["event"] for e in reminded["timeline"]] == ["opened", "reminded"]
    assert reminded["timeline"][1]["detail"] == (
        "owner notified by AutoFix (s3-block-public-access, will apply): "
        "fix due 2026-03-02T00:00:00Z"
    )
    assert reminded["timeline"][1]["at"] == "2026-03-01T00:02:00Z"
    assert len(kit.changes()) == 1  # a reminder is not a state change: no violation event

    await kit.publish(kit.evaluated(2, 3, public="pass"), notice("pacbot.fix.notified", 4))
    closed = await violation(client, vid)
    assert [e["event"] for e in closed["timeline"]] == ["opened", "reminded", "closed"]
