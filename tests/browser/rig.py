"""What the browser tests share: who signs in, the seeded estate, and browser sessions that
record what went wrong on their pages. The fixtures that build them are in ``conftest.py``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from playwright.async_api import Browser, BrowserContext, Page

from pacbot.cli.estate import SeededBucket
from tests.actors import Identity
from tests.services import (
    Cluster,
)

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DATABASE = "pacbot_browser"
REGION = "us-east-1"
PUBLIC = "aws-s3-bucket-public-access"
ENCRYPTION = "aws-s3-bucket-default-encryption"
FIXABLE = (PUBLIC, ENCRYPTION)
UI_TIMEOUT_MS = 5_000
SCREENSHOT_TIMEOUT_MS = 30_000
"""Playwright's default wait for any action or assertion: the pages answer in well under it."""
GROUP = "production"
"""The asset group of the estate: its buckets tagged Environment=prod."""
SCRATCH = 4
"""Untagged buckets added to the S3 estate (each fails the mandatory tags and MFA delete)."""
SETTLE_SECONDS = 90
"""How long the scan's violations may take to appear (they arrive in a second or two)."""

# Who signs in: an owner of the payments team's buckets, a security engineer and a viewer; the
# bootstrap admin (``tests.actors.ADMIN``) onboards the account and scans.
PAYMENTS = "payments@acme.example"
OWNER = Identity("olivia@acme.example", ("owner",), groups=(PAYMENTS,))
SECURITY = Identity("sam@acme.example", ("security",))
VIEWER = Identity("victor@acme.example", ("viewer",))


def chromium_or_skip(path: Path = CHROMIUM) -> str:
    """The browser's path; without it, a failure in CI and a skip (with the reason) elsewhere."""
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    why = f"{path} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests need Chromium in CI: {why}", pytrace=False)
    pytest.skip(why)


@dataclass
class Estate:
    """The running services, the keys of the people who sign in, and what was seeded."""

    cluster: Cluster
    account_id: str
    buckets: list[SeededBucket]
    s3: Any
    """A boto3 S3 client acting in the seeded account (on moto)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Identity subject -> its gateway API key."""
    violations: list[dict[str, Any]] = field(default_factory=list)
    """The open violations the scan produced (as the admin sees them)."""

    @property
    def url(self) -> str:
        """The gateway, which serves the dashboard at ``/``."""
        return self.cluster.urls["gateway"]

    def key(self, who: Identity) -> str:
        """The API key of ``who``."""
        return self.keys[who.subject]

    def api(self, who: Identity) -> httpx.AsyncClient:
        """A gateway API client carrying ``who``'s key."""
        return self.cluster.gateway(self.key(who))

    def bucket(self, suffix: str) -> str:
        """The seeded bucket whose name ends with ``suffix`` (names carry a per-run prefix)."""
        return next(b.name for b in self.buckets if b.name.endswith(suffix))

    def violation(self, bucket_suffix: str, policy_id: str) -> dict[str, Any]:
        """The open violation of ``policy_id`` on the bucket ending with ``bucket_suffix``."""
        name = self.bucket(bucket_suffix)
        return next(
            v for v in self.violations if v["asset_name"] == name and v["policy_id"] == policy_id
        )

    def public_access_block(self, bucket: str) -> dict[str, bool] | None:
        """The bucket's PublicAccessBlock as moto has it, or None when it has none."""
        try:
            found = self.s3.get_public_access_block(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
                raise
            return None
        return dict(found["PublicAccessBlockConfiguration"])


def expected_findings(buckets: list[SeededBucket]) -> set[tuple[str, str]]:
    """(bucket, policy) of every failure the estate declares."""
    return {(b.name, policy) for b in buckets for policy in b.expected_failures}


async def open_violations(api: httpx.AsyncClient, account_id: str) -> list[dict[str, Any]]:
    """Every open violation of the account, across pages."""
    found: list[dict[str, Any]] = []
    params: dict[str, str] = {"account_id": account_id, "status": "open", "limit": "500"}
    while True:
        answer = await api.get("/api/v1/violations", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += body["items"]
        if not body.get("next_cursor"):
            return found
        params["cursor"] = body["next_cursor"]


@dataclass
class Session:
    """One browser context (one person's cookies) and the problems its pages reported."""

    context: BrowserContext
    errors: list[str] = field(default_factory=list)

    async def page(self) -> Page:
        """A new tab that records uncaught script errors and server errors of the API."""
        page = await self.context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        page.on(
            "response",
            lambda r: (
                self.errors.append(f"{r.status} from {r.request.method} {r.url}")
                if r.status >= 500
                else None
            ),
        )
        return page


async def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot at ``test-artifacts/screenshots/<name>.png`` (the CI artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # a long page's full-page capture on a busy 2-core machine outlasts the UI's short timeout
    await page.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
    return path


class Sessions:
    """Opens browser contexts on the gateway; every one is closed, and checked, at the end."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list[Session] = []

    async def new(self) -> Session:
        """A fresh context: its own cookies, a desktop viewport, short default timeouts."""
        context = await self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        context.set_default_navigation_timeout(2 * UI_TIMEOUT_MS)
        session = Session(context)
        self.opened.append(session)
        return session

    async def close(self) -> list[str]:
        """Close every context; the problems their pages reported."""
        errors = [e for s in self.opened for e in s.errors]
        for session in self.opened:
            await session.context.close()
        return errors
