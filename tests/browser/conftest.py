"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against the six
service processes on the real dev stack.

One cluster per test module (it is the expensive part): a database of the run's own (dropped
afterwards) and fresh topics, a small S3 estate seeded in its own moto account (onboarded through a
role, so nothing else on the shared moto server is swept), an asset group of its production
buckets, one scan, and the wait until the violations the estate declares are open. AutoFix runs
in dry run for the public-access and encryption policies of that account.

Chromium must be at ``/usr/bin/chromium`` (``.ci/run`` installs it): in CI (``CI=true``) a missing
browser fails the tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright, expect

from pacbot.cli.devstack import StackInfo
from pacbot.cli.estate import SeededBucket, open_account, seed
from pacbot.cli.estate.s3 import WHOLE_ESTATE, renamed
from pacbot.common.testing import eventually
from tests.actors import ADMIN
from tests.browser.rig import (
    DATABASE,
    FIXABLE,
    GROUP,
    OWNER,
    REGION,
    SCRATCH,
    SECURITY,
    SETTLE_SECONDS,
    UI_TIMEOUT_MS,
    VIEWER,
    Estate,
    Sessions,
    chromium_or_skip,
    expected_findings,
    open_violations,
)
from tests.services import (
    SERVICES,
    Cluster,
    free_port,
    fresh_database,
    fresh_topics,
    running_services,
    service_env,
)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium (checked before any service starts)."""
    return chromium_or_skip()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def estate(
    chromium: str, stack: StackInfo, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Estate]:
    """The six services on a fresh database and topics, a seeded account, scanned and assessed."""
    started = time.monotonic()
    # a database of this run's own: another run of this module may share the dev stack
    database = f"{DATABASE}_{uuid.uuid4().hex[:8]}"
    await fresh_topics(stack.kafka_bootstrap)
    await fresh_database(stack, database)
    async with httpx.AsyncClient(timeout=60) as client:
        await client.delete(f"{stack.opensearch_url}/pacbot-assets-v1")
    # a fresh account of its own on the shared moto server; bucket names are global, so prefixed
    account_id = f"{secrets.randbelow(9 * 10**11) + 10**11}"
    prefix = f"b{uuid.uuid4().hex[:6]}"
    account = open_account(stack.moto_url, account_id, REGION, prefix)
    # the demo's buckets, the three breaking the other S3 policies, and untagged scratch buckets
    # so that the open violations fill more than one page of the dashboard's smallest size
    scratch = tuple(SeededBucket(f"acme-scratch-{n}") for n in range(1, SCRATCH + 1))
    s3 = account.client("s3")
    buckets = seed(s3, renamed(prefix, WHOLE_ESTATE + scratch))

    ports = {name: free_port() for name in SERVICES}
    fixes = {policy: {"accounts": [account_id]} for policy in FIXABLE}
    env = service_env(
        stack,
        database,
        ports,
        {
            "PACBOT_AUTOFIX_DRY_RUN": "true",
            "PACBOT_AUTOFIX_POLICIES": json.dumps(fixes),
            "PACBOT_AUTOFIX_TIMER_POLL_SECONDS": "0.3",
            "PACBOT_INVENTORY_SEARCH_REFRESH": "true",
            "PACBOT_INVENTORY_REGIONS": json.dumps([REGION]),
            "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
        },
    )
    logs = tmp_path_factory.mktemp("browser") / "logs"
    try:
        with running_services(env, ports, logs) as urls:
            up = time.monotonic() - started
            here = await assessed_estate(Cluster(urls, env), account_id, buckets, s3)
            print(
                f"browser estate: services up at {up:.1f}s, assessed at "
                f"{time.monotonic() - started:.1f}s (logs: {logs})"
            )
            yield here
    finally:
        await drop_database(stack, database)


async def assessed_estate(
    cluster: Cluster, account_id: str, buckets: list[SeededBucket], s3: Any
) -> Estate:
    """People's keys made, the account onboarded and grouped, scanned and assessed."""
    here = Estate(cluster, account_id, buckets, s3)
    for who in (ADMIN, OWNER, SECURITY, VIEWER):
        here.keys[who.subject] = await cluster.key(who)
    role = f"arn:aws:iam::{account_id}:role/pacbot-discovery"
    async with here.api(ADMIN) as admin:
        body = {"account_id": account_id, "name": "acme-prod", "role_arn": role}
        made = await admin.post("/api/v1/accounts", json=body)
        assert made.status_code == 201, made.text
        criteria = {"accounts": [account_id], "tags": {"Environment": "prod"}}
        grouped = await admin.post(
            "/api/v1/groups",
            json={"name": GROUP, "description": "Production buckets", "criteria": criteria},
        )
        assert grouped.status_code == 201, grouped.text
        scanned = await admin.post("/api/v1/scans", json={"resource_types": ["aws.s3.bucket"]})
        assert scanned.status_code == 200, scanned.text
        wanted = expected_findings(buckets)

        async def assessed() -> list[dict[str, Any]]:
            found = await open_violations(admin, account_id)
            seen = {(v["asset_name"], v["policy_id"]) for v in found}
            return found if seen == wanted else []

        here.violations = await eventually(
            assessed, timeout=SETTLE_SECONDS, interval=0.5, what="the estate's violations"
        )
    return here


async def drop_database(stack: StackInfo, name: str) -> None:
    """Drop this run's database once its services have stopped."""
    conn = await asyncpg.connect(stack.postgres_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """Headless Chromium, once per module."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        expect.set_options(timeout=UI_TIMEOUT_MS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def sessions(browser: Browser, estate: Estate) -> AsyncIterator[Sessions]:
    """Browser contexts for this test; a page that threw or met a 5xx fails the test."""
    opened = Sessions(browser, estate.url)
    try:
        yield opened
    finally:
        errors = await opened.close()
    assert not errors, "the dashboard reported problems:\n" + "\n".join(errors)
