"""The compliance tallies equal a recount from the raw rows after any sequence of writes.

A seeded random stream of evaluations (status flips, retags, partial and late ones), asset
deletions and returns, exception grants, revocations and expiries (resource and sticky) and
policy retirements is applied through the consumer's handler in the app's own sessions: the
service's write path. Every few events, each tally cell is compared with the SQL recount from
results and violations, and the figures the summary reads from the tallies with the figures
counted from the raw rows (a second, independent counting), for scopes by account, region,
type and tracked tags, whole and broken down by account, region and type. Asset groups are
counted by too: the stream starts with three, changes one's criteria and drops another half way
(as the inventory's would change), and scopes that are exactly a group's must read its cells.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from pacbot.common.events import (
    AssetDeleted,
    AssetEvaluated,
    AssetSummary,
    Envelope,
    EventData,
    ExceptionChanged,
    ExceptionCriteria,
    PoliciesChanged,
    PolicyRef,
    PolicyResult,
)
from pacbot.violations.aggregates.cells import GROUP_DIMENSION
from pacbot.violations.aggregates.rebuild import rebuild_tallies, recount, stored, sync_groups
from pacbot.violations.compliance.breakdown import from_group_cells
from pacbot.violations.compliance.recount import recounted
from pacbot.violations.compliance.repository import built_tallies, tallies_by
from pacbot.violations.compliance.scope import Constraints
from pacbot.violations.compliance.tally import Tally
from pacbot.violations.lifecycle.consumers import batch_handler, event_handler
from pacbot.violations.lifecycle.query import ViolationFilters
from pacbot.violations.lifecycle.repository import Selection, filter_clauses, tallied_total
from pacbot.violations.models import ResultRow, TallyState, ViolationRow
from services.violations.tests.test_api_rows import insert, result, running_on

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1", "eu-west-1")
TYPES = ("aws.s3.bucket", "aws.ec2.instance")
POLICIES = [
    PolicyRef(policy_id="p-public", name="public", severity="critical", category="security"),
    PolicyRef(policy_id="p-crypt", name="crypt", severity="high", category="security"),
    PolicyRef(policy_id="p-tags", name="tags", severity="low", category="tagging"),
    PolicyRef(policy_id="p-cost", name="cost", severity="medium", category="cost"),
]
STATUSES = ("pass", "fail", "fail", "error", "not_applicable")


@dataclass
class Estate:
    """What the stream has done so far, so the next event is plausible (or plausibly late)."""

    rng: random.Random
    assets: list[AssetSummary] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    exceptions: list[str] = field(default_factory=list)
    minute: int = 0

    def __post_init__(self) -> None:
        for i in range(10):
            asset = AssetSummary(
                asset_id=f"arn:aws:x:::asset-{i}",
                account_id=ACCOUNTS[i % 2],
                region=REGIONS[(i // 2) % 2],
                resource_type=TYPES[(i // 4) % 2],
                name=f"asset-{i}",
                tags=self.tags(),
            )
            self.assets.append(asset)
            self.versions[asset.asset_id] = 0

    def tags(self) -> dict[str, str]:
        """A random tag set over two tracked keys and one that is not."""
        choices = {"Environment": ("prod", "dev"), "Application": ("a", "b"), "Team": ("x", "y")}
        return {k: self.rng.choice(v) for k, v in choices.items() if self.rng.random() < 0.75}

    def now(self) -> datetime:
        self.minute += 1
        return T0 + timedelta(minutes=self.minute)

    def next_event(self) -> EventData:
        """One event of the stream."""
        roll = self.rng.random()
        asset = self.rng.choice(self.assets)
        if roll < 0.5:
            return self.evaluation(asset)
        if roll < 0.58:
            return self.late_evaluation(asset)
        if roll < 0.68:
            return self.deletion(asset)
        if roll < 0.82:
            return self.grant()
        if roll < 0.95 and self.exceptions:
            return self.end()
        if roll < 0.95:
            return self.grant()
        return PoliciesChanged(
            policy_ids=[p := self.rng.choice(POLICIES).policy_id],
            resource_types=list(TYPES),
            disabled_policy_ids=[p],
            occurred_at=self.now(),
        )

    def results(self) -> list[PolicyResult]:
        chosen = self.rng.sample(POLICIES, self.rng.randint(1, len(POLICIES)))
        return [
            PolicyResult(policy=p, status=self.rng.choice(STATUSES), reason="r")  # type: ignore[arg-type]
            for p in chosen
        ]

    def evaluation(self, asset: AssetSummary) -> AssetEvaluated:
        if self.rng.random() < 0.3:  # retagged (this evaluation's results carry the new tags)
            retagged = asset.model_copy(update={"tags": self.tags()})
            self.assets[self.assets.index(asset)] = asset = retagged
        self.versions[asset.asset_id] += 1
        self.deleted.discard(asset.asset_id)
        return AssetEvaluated(
            asset=asset,
            asset_version=self.versions[asset.asset_id],
            evaluated_at=self.now(),
            results=self.results(),
        )

    def late_evaluation(self, asset: AssetSummary) -> AssetEvaluated:
        version = max(1, self.versions[asset.asset_id] - self.rng.randint(0, 1))
        return AssetEvaluated(
            asset=asset,
            asset_version=version,
            evaluated_at=T0 + timedelta(minutes=self.rng.randint(0, self.minute)),
            results=self.results(),
        )

    def deletion(self, asset: AssetSummary) -> AssetDeleted:
        self.deleted.add(asset.asset_id)
        version = max(1, self.versions[asset.asset_id])
        return AssetDeleted(asset=asset, version=version, deleted_at=self.now())

    def grant(self) -> ExceptionChanged:
        exception_id = f"e-{self.minute}"
        self.exceptions.append(exception_id)
        policies = [p.policy_id for p in self.rng.sample(POLICIES, 2)]
        at = self.now()
        if self.rng.random() < 0.5:
            assets = [a.asset_id for a in self.rng.sample(self.assets, 3)]
            kind, criteria = "resource", None
        else:
            assets, kind = [], "sticky"
            criteria = ExceptionCriteria(tags={"Environment": self.rng.choice(("prod", "dev"))})
        return ExceptionChanged(
            event_type="pacbot.exception.granted",
            exception_id=exception_id,
            kind=kind,  # type: ignore[arg-type]
            asset_ids=assets,
            policy_ids=policies,
            criteria=criteria,
            reason="accepted",
            requester="alice",
            expires_at=at + timedelta(days=self.rng.randint(1, 30)),
            occurred_at=at,
        )

    def end(self) -> ExceptionChanged:
        exception_id = self.exceptions.pop(self.rng.randrange(len(self.exceptions)))
        kind = self.rng.choice(("revoked", "expired"))
        return ExceptionChanged(
            event_type=f"pacbot.exception.{kind}",  # type: ignore[arg-type]
            exception_id=exception_id,
            kind="resource",
            reason="over",
            requester="alice",
            expires_at=T0,
            occurred_at=self.now(),
        )


GROUPS: dict[str, dict[str, Any]] = {
    "prod-apps": {"tags": {"Environment": "prod", "Application": ["a", "b"]}},
    "first-account-x": {"accounts": [ACCOUNTS[0]], "tags": {"Team": "x"}},
    "eu-instances": {"regions": [REGIONS[1]], "resource_types": [TYPES[1]]},
}
CHANGED_GROUPS: dict[str, dict[str, Any]] = {  # half way: one changed, one gone
    "prod-apps": {"tags": {"Environment": "dev", "Application": "a"}},
    "first-account-x": GROUPS["first-account-x"],
}
GROUP_SCOPES = [  # scopes only a group's cells answer (two tag keys, or an untracked one)
    Constraints().narrowed(GROUPS["prod-apps"]),
    Constraints(regions=frozenset({REGIONS[0]})).narrowed(GROUPS["prod-apps"]),
    Constraints().narrowed(GROUPS["first-account-x"]),
    Constraints().narrowed(CHANGED_GROUPS["prod-apps"]),
]
SCOPES = [
    Constraints(),
    Constraints(accounts=frozenset({ACCOUNTS[0]})),
    Constraints(accounts=frozenset(ACCOUNTS), regions=frozenset({REGIONS[1]})),
    Constraints(resource_types=frozenset({TYPES[1]})),
    Constraints(tags={"Environment": frozenset({"prod"})}),
    Constraints(accounts=frozenset({ACCOUNTS[1]}), tags={"Application": frozenset({"a"})}),
    Constraints().narrowed({"tags": {"Environment": ["dev"]}, "regions": [REGIONS[0]]}),
    *GROUP_SCOPES,
]


LISTINGS = [  # violation listings whose total the tallies can count
    Selection(ViolationFilters()),
    Selection(ViolationFilters(status=("open",))),
    Selection(ViolationFilters(status=("open",), severity=("critical", "high"))),
    Selection(ViolationFilters(status=("exempted",), account_id=(ACCOUNTS[0],))),
    Selection(ViolationFilters(region=(REGIONS[1],), resource_type=(TYPES[0],))),
    Selection(ViolationFilters(tags={"Environment": ["prod"]})),
    Selection(ViolationFilters(status=("open",), tags={"Application": ["a", "b"]})),
    Selection(
        ViolationFilters(status=("open",)),
        Constraints(regions=frozenset({REGIONS[0]}), tags={"Environment": frozenset({"dev"})}),
    ),
    Selection(
        ViolationFilters(account_id=(ACCOUNTS[1],)),
        Constraints(accounts=frozenset({ACCOUNTS[0]})),  # nothing can match
    ),
]
COUNTED_ROWS = [  # and listings it cannot: the rows are counted
    Selection(ViolationFilters(policy_id=("p-public",))),
    Selection(ViolationFilters(tags={"Environment": ["prod"], "Application": ["a"]})),
    Selection(ViolationFilters(tags={"Owner": ["x"]})),
    Selection(ViolationFilters(max_age_days=3)),
]


def figures(tallies: dict[str, Tally]) -> dict[str, Tally]:
    """The tallies that count anything (an empty tally and a missing one mean the same)."""
    return {key: tally for key, tally in tallies.items() if tally != Tally()}


async def check(app: FastAPI, groups: dict[str, dict[str, Any]]) -> int:
    """Every tally cell and every scope's figures agree with the raw rows; cells compared."""
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        assert await session.scalar(select(TallyState.groups)) == groups
        kept, counted = (
            await stored(session),
            await recount(session, ("Environment", "Application"), groups),
        )
        assert kept == counted
        built = await built_tallies(session)
        assert built is not None
        for scope in SCOPES:
            for by in (None, "account_id", "region", "resource_type"):
                from_tallies = figures(await tallies_by(session, scope, by))
                from_rows = figures(await recounted(session, scope, by))
                assert from_tallies == from_rows, (scope, by)
        for scope in GROUP_SCOPES:  # each counted group's own scope is read from its cells
            dimension = built.dimension(scope)
            held = any(Constraints().narrowed(c).tags == scope.tags for c in groups.values())
            assert (dimension is not None and dimension.tag_key == GROUP_DIMENSION) == held
        for within in (Constraints(), Constraints(accounts=frozenset({ACCOUNTS[1]}))):
            per_group = await from_group_cells(session, within, list(groups.items()))
            assert set(per_group) == set(groups)
            for name, criteria in groups.items():  # the breakdown by group, in one read
                narrowed = within.narrowed(criteria)
                from_rows = {} if narrowed.empty else await recounted(session, narrowed, None)
                assert figures({"": per_group[name]}) == figures(from_rows), (name, within)
        now = datetime.now(UTC)
        for selection in LISTINGS:
            rows = await session.scalar(
                select(func.count())
                .select_from(ViolationRow)
                .where(*filter_clauses(selection, now))
            )
            assert await tallied_total(session, selection) == rows, selection
        for selection in COUNTED_ROWS:
            assert await tallied_total(session, selection) is None, selection
    return sum(len(cells) for cells in kept.values())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.real)])
async def service(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with running_on(request.param, tmp_path, request) as (app, _client):
        yield app


async def apply(app: FastAPI, event: EventData) -> None:
    """Apply one event as the consumer does: the handler, in one of the app's sessions."""
    runtime = app.state.runtime
    handler = event_handler(runtime.outbox)
    async with runtime.db.session() as session:
        await handler(session, Envelope.wrap(event, source="test", subject="s"))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_tallies_equal_a_recount_after_random_writes(service: FastAPI, seed: int) -> None:
    estate = Estate(random.Random(seed))
    db = service.state.runtime.db
    compared, groups = 0, GROUPS
    assert sorted(await sync_groups(db, GROUPS)) == sorted(GROUPS)
    for step in range(1, 161):
        await apply(service, estate.next_event())
        if step == 70:  # the inventory's groups changed: one recounted, one dropped
            assert sorted(await sync_groups(db, CHANGED_GROUPS)) == [
                "eu-instances",
                "prod-apps",
            ]
            groups = CHANGED_GROUPS
        if step % 20 == 0:
            compared = max(compared, await check(service, groups))
    assert compared > 50  # the stream filled the tallies (a check over nothing proves nothing)
    async with service.state.runtime.db.session() as session:
        statuses = {r.status for r in await session.scalars(select(ResultRow))}
        exempted = await stored(session)
    assert {"pass", "fail", "error"} <= statuses
    assert any(counts[2] for counts in exempted["results"].values())  # some failure exempted


@pytest.mark.parametrize("seed", [4, 5])
async def test_tallies_equal_a_recount_after_random_batches(service: FastAPI, seed: int) -> None:
    """The stream applied in batches of eight events, one transaction each, as the bus hands a
    partition slice over: results first seen in a batch (inserted together at the end of its
    run of evaluations) and evaluated again in the same batch are counted too."""
    estate = Estate(random.Random(seed))
    runtime = service.state.runtime
    handle_batch = batch_handler(runtime.outbox)
    assert sorted(await sync_groups(runtime.db, GROUPS)) == sorted(GROUPS)
    compared, repeated = 0, 0
    for step in range(1, 21):
        events = [estate.next_event() for _ in range(8)]
        evaluated = [e.asset.asset_id for e in events if isinstance(e, AssetEvaluated)]
        repeated += len(evaluated) - len(set(evaluated))
        async with runtime.db.session() as session:
            await handle_batch(
                session, [Envelope.wrap(e, source="test", subject="s") for e in events]
            )
        if step % 4 == 0:
            compared = max(compared, await check(service, GROUPS))
    assert compared > 50
    assert repeated > 5  # batches did evaluate one asset more than once


async def test_rows_written_by_hand_are_counted_and_a_start_rebuilds_stale_tallies(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with running_on("sqlite", tmp_path, request) as (app, client):
        await insert(app, result("a1", "p1", "pass"), result("a2", "p1", "fail"))
        assert (await client.get("/compliance/summary")).json()["evaluated_assets"] == 2
        async with app.state.runtime.db.session() as session:  # as if built for other keys
            await session.execute(update(TallyState).values(tag_keys=["Other"]))
    async with running_on("sqlite", tmp_path, request) as (app, client):
        async with app.state.runtime.db.session() as session:
            assert await session.scalar(select(TallyState.tag_keys)) == [
                "Environment",
                "Application",
            ]
            assert await stored(session) == await recount(session, ("Environment", "Application"))
        assert (await client.get("/compliance/summary")).json()["evaluated_assets"] == 2


async def test_bulk_statements_on_counted_tables_are_refused(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with running_on("sqlite", tmp_path, request) as (app, _client):
        with pytest.raises(RuntimeError, match="bulk statement"):
            async with app.state.runtime.db.session() as session:
                await session.execute(update(ResultRow).values(deleted=True))
        with pytest.raises(RuntimeError, match="savepoints"):
            async with app.state.runtime.db.session() as session:
                await session.begin_nested()


async def test_a_replica_configured_with_other_keys_counts_and_reads_the_built_ones(
    service: FastAPI,
) -> None:
    """A rolling change of the tracked keys: another replica rebuilt the tallies for
    ``Environment`` only while this one, configured with two keys, keeps writing and reading."""
    runtime = service.state.runtime
    estate = Estate(random.Random(7))
    for _ in range(40):
        await apply(service, estate.next_event())
    await rebuild_tallies(runtime.db, ["Environment"])  # what the other replica's start does
    for _ in range(80):
        await apply(service, estate.next_event())
    async with runtime.db.session() as session:
        assert await session.scalar(select(TallyState.tag_keys)) == ["Environment"]
        kept = await stored(session)
        assert kept == await recount(session, ("Environment",))
        assert not any(key[0] == "Application" for cells in kept.values() for key in cells)
        for scope in SCOPES:  # an Application scope is now counted from the raw rows
            for by in (None, "account_id"):
                from_tallies = figures(await tallies_by(session, scope, by))
                assert from_tallies == figures(await recounted(session, scope, by)), scope
