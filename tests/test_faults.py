"""Faults during a run of a few thousand assets through the six processes on a private stack.

Every test starts from a fresh database, fresh topics and a fresh search alias, runs the same
three phases as the undisturbed baseline (scan, disable a policy, enable it), disturbs the
pipeline while it works, and must end with the baseline's open violations and, per violation,
the baseline's sequence of violation events: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from pacbot.common.events import ASSETS_TOPIC, EVALUATIONS_TOPIC, dead_letter_topic
from tests.pipeline_rig import (
    CONSUMERS,
    Outcome,
    Pipeline,
    PrivateStack,
    build_estate,
    fresh_pipeline,
    kill_during,
    private_stack,
    read_topic,
    run,
)

pytestmark = [pytest.mark.e2e, pytest.mark.real, pytest.mark.timeout(900)]

INSTANCES = 700  # with their volumes and network interfaces: about 2,100 assets


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateStack]:
    """This module's own servers, with the estate in its moto."""
    with private_stack(tmp_path_factory.mktemp("fault-stack")) as own:
        build_estate(own.info.moto_url, INSTANCES)
        yield own


@pytest.fixture(scope="module")
def baseline(stack: PrivateStack, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The outcome of an undisturbed run."""
    with fresh_pipeline(stack.info, tmp_path_factory.mktemp("baseline"), "faults_base") as pipe:
        return asyncio.run(run(pipe))


def assert_same(got: Outcome, baseline: Outcome) -> None:
    """Equal outcomes; the baseline itself must have opened and closed violations."""
    assert baseline.open_violations, "the baseline opened no violation"
    assert got.differences(baseline) == []


def test_baseline_runs_the_whole_lifecycle(baseline: Outcome) -> None:
    kinds = {event for events in baseline.sequences.values() for event, _, _ in events}
    assert kinds >= {"pacbot.violation.opened", "pacbot.violation.closed"}
    assert "pacbot.violation.reopened" in kinds
    assert len(baseline.open_violations) >= INSTANCES


def test_kill9_each_consumer_in_turn(
    stack: PrivateStack, baseline: Outcome, tmp_path: Path
) -> None:
    """kill -9 of the assessor, then the violations service, then AutoFix, one per phase,
    each while the pipeline is busy; each restarts and catches up."""
    victims = dict(zip(("scan", "disable", "enable"), CONSUMERS, strict=True))

    async def disturb(pipe: Pipeline, phase: str) -> None:
        await asyncio.to_thread(kill_during, pipe, victims[phase])

    with fresh_pipeline(stack.info, tmp_path / "logs", "faults_kill") as pipe:
        assert_same(asyncio.run(run(pipe, disturb)), baseline)


def _reports(url: str, status: int) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == status
    except httpx.HTTPError:
        return False


async def _until(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"not within {timeout}s: {what}")


OUTAGES = {
    "scan": ("kafka", ("assessor", "violations")),
    "disable": ("postgres", ("inventory", "assessor", "violations", "autofix")),
}
"""Which server is restarted in which phase, and the services whose /readyz must report it."""


async def _outage(
    own: PrivateStack, server: str, down_for: float, services: tuple[str, ...], pipe: Pipeline
) -> None:
    """Stop ``server``, see every service in ``services`` report it on /readyz, wait
    ``down_for`` seconds, start it again, see them ready again."""
    await asyncio.to_thread(own.stop, server)
    for name in services:
        await _until(functools.partial(_reports, pipe.url(name), 503), f"{name}: {server} down")
    await asyncio.sleep(down_for)
    await asyncio.to_thread(own.start, server)
    for name in services:
        await _until(functools.partial(_reports, pipe.url(name), 200), f"{name} ready again")


def test_broker_then_database_restart(
    stack: PrivateStack, baseline: Outcome, tmp_path: Path
) -> None:
    """The Kafka broker restarted while the scan's assets flow, PostgreSQL restarted while the
    disabled policy's violations close: one run (each restart costs the pipeline its whole
    stack), the same outcome as the undisturbed one."""

    async def disturb(pipe: Pipeline, phase: str) -> None:
        if phase in OUTAGES:
            server, services = OUTAGES[phase]
            await _outage(stack, server, 3, services, pipe)

    with fresh_pipeline(stack.info, tmp_path / "logs", "faults_restarts") as pipe:
        assert_same(asyncio.run(run(pipe, disturb)), baseline)


def test_poison_and_malformed_messages_go_to_dead_letters(
    stack: PrivateStack, baseline: Outcome, tmp_path: Path
) -> None:
    garbage = [
        b"\x00\xffnot json",
        b"{}",
        b'{"specversion": "1.0", "type": "pacbot.asset.upserted"}',
    ]
    garbage.append(
        b'{"specversion":"1.0","id":"x","source":"/t","type":"pacbot.asset.evaluated",'
        b'"time":"2026-01-01T00:00:00Z","data":{"asset":"not an asset"}}'
    )

    async def disturb(pipe: Pipeline, phase: str) -> None:
        if phase != "scan":
            return
        producer = AIOKafkaProducer(bootstrap_servers=pipe.stack.kafka_bootstrap)
        await producer.start()
        try:
            for topic in (ASSETS_TOPIC, EVALUATIONS_TOPIC):
                for n, value in enumerate(garbage):
                    await producer.send_and_wait(topic, value, key=f"poison-{n}".encode())
        finally:
            await producer.stop()

    with fresh_pipeline(stack.info, tmp_path / "logs", "faults_poison") as pipe:
        assert_same(asyncio.run(run(pipe, disturb)), baseline)
        for topic in (ASSETS_TOPIC, EVALUATIONS_TOPIC):
            dead = asyncio.run(read_topic(pipe.stack.kafka_bootstrap, dead_letter_topic(topic)))
            copies = 2 if topic == ASSETS_TOPIC else 1  # the topic's consumer groups
            assert sorted(dead) == sorted(garbage * copies)


def test_opensearch_down_search_degrades_and_the_index_catches_up(
    stack: PrivateStack, baseline: Outcome, tmp_path: Path
) -> None:
    """The scan runs while OpenSearch is down: discovery and the pipeline go on, the inventory's
    /readyz and search report the outage (503, naming search), and once OpenSearch is back
    the index catches up by itself with every asset the inventory holds."""

    async def disturb(pipe: Pipeline, phase: str) -> None:
        if phase != "scan":
            return
        await _until(functools.partial(_reports, pipe.url("inventory"), 503), "inventory: down")
        found = await asyncio.to_thread(pipe.signed_get, "inventory", "/assets/search", q="vol")
        assert found.status_code == 503, found.text
        assert "search" in found.text.lower()
        await asyncio.to_thread(stack.start, "opensearch")
        await _until(functools.partial(_reports, pipe.url("inventory"), 200), "inventory ready")

    def caught_up(pipe: Pipeline) -> bool:
        held = pipe.signed_get("inventory", "/assets", limit=1)
        indexed = pipe.signed_get("inventory", "/assets/search", limit=1)
        if held.status_code != 200 or indexed.status_code != 200:
            return False
        return bool(held.json()["total"]) and held.json()["total"] == indexed.json()["total"]

    with fresh_pipeline(stack.info, tmp_path / "logs", "faults_search") as pipe:
        stack.stop("opensearch")
        try:
            assert_same(asyncio.run(run(pipe, disturb)), baseline)
        finally:
            stack.start("opensearch")
        asyncio.run(_until(functools.partial(caught_up, pipe), "the index caught up"))
