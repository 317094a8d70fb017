"""The compliance dashboard in Chromium, against the six services on the real dev stack.

The tests run in file order on one cluster (see ``conftest.py``): what a later test sees (an
exempted violation, a dry-run fix) is what an earlier one did, and the screenshots come last.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.figures import (
    Figure,
    by_key,
    equal,
    figures,
    shown_as_count,
    shown_as_pct,
)
from tests.browser.rig import SECURITY, VIEWER, Estate, Sessions

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real,
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(150),  # the first test also starts the cluster (about 30 s)
]

SEVERITIES = ("critical", "high", "medium", "low")
CONSISTENT_WITHIN = 15.0
"""Seconds a page may take to agree with the API while the services settle a change."""


async def sign_in(page: Page, key: str) -> None:
    """Sign in through the form, and wait for the page it leads to."""
    await page.goto("/#/login")
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")


async def settled(page: Page) -> None:
    """The page has one heading and nothing left loading."""
    await expect(page.get_by_role("heading", level=1)).to_have_count(1)
    await expect(page.locator("#main .loading")).to_have_count(0)


# --- signing in ---------------------------------------------------------------------------------


async def test_a_bad_key_is_refused_with_the_reason(estate: Estate, sessions: Sessions) -> None:
    page = await (await sessions.new()).page()
    await page.goto("/#/login")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_label("API key").fill("pbk_not-a-real-key")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("The API key was refused")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # nothing behind the sign-in opened: the landing page sends us back
    await page.goto("/#/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


async def test_a_good_key_lands_on_compliance_and_signing_out_ends_the_session(
    estate: Estate, sessions: Sessions
) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    assert re.fullmatch(r".*/#/(\?.*)?", page.url), page.url
    await expect(page.get_by_text(SECURITY.subject, exact=True)).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await expect(page.get_by_role("status").filter(has_text="You are signed out")).to_be_visible()
    await page.goto("/#/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # the session ended at the gateway too, not only in this page
    answer = await page.request.get("/api/v1/me")
    assert answer.status == 401, await answer.text()


async def test_a_login_link_signs_in_and_leaves_no_key_in_the_address(
    estate: Estate, sessions: Sessions
) -> None:
    page = await (await sessions.new()).page()
    key = estate.key(VIEWER)
    await page.goto(f"/#/login?key={key}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    assert key not in page.url
    await expect(page.get_by_text(VIEWER.subject, exact=True)).to_be_visible()


# --- the landing page ---------------------------------------------------------------------------


async def landing_answers(api: httpx.AsyncClient) -> dict[str, Any]:
    """What the API says for every figure of the landing page (no asset group)."""
    summary = await api.get("/api/v1/compliance/summary")
    assert summary.status_code == 200, summary.text
    trend = await api.get("/api/v1/compliance/trend", params={"scope": "all", "days": "30"})
    assert trend.status_code == 200, trend.text
    answers: dict[str, Any] = {"summary": summary.json(), "trend": trend.json()}
    answers["severity"] = {}
    for severity in SEVERITIES:
        page = await api.get(
            "/api/v1/violations", params={"status": "open", "severity": severity, "limit": "1"}
        )
        assert page.status_code == 200, page.text
        answers["severity"][severity] = page.json()["total"]
    for by, name in (("account_id", "accounts"), ("group", "groups")):
        found = await api.get("/api/v1/compliance/breakdown", params={"by": by, "limit": "10"})
        assert found.status_code in (200, 404), found.text
        answers[name] = found.json()["items"] if found.status_code == 200 else []
    return answers


def landing_value(name: str, answers: dict[str, Any]) -> Any:
    """The API's value for the landing page's figure ``name``; KeyError when none matches."""
    summary = answers["summary"]
    head, _, rest = name.partition(".")
    if not rest:
        return summary[head]
    if head == "open_by_severity":
        return answers["severity"][rest]
    key, _, field = rest.rpartition(".")
    if head == "categories":
        return by_key(summary["categories"], "category")[key][field]
    if head == "policies":
        return by_key(summary["policies"], "policy_id")[key][field]
    if head == "trend":
        return by_key(answers["trend"]["points"], "day")[key][field]
    if head in ("accounts", "groups"):
        key, _, path = rest.partition(".")
        value: Any = by_key(answers[head], "key")[key]
        for part in path.split("."):
            value = (value or {}).get(part)
        return value
    raise KeyError(name)


def disagreements(shown: dict[str, Figure], answers: dict[str, Any]) -> list[str]:
    """Every figure whose value differs from the API's (or that the API has no value for)."""
    wrong = []
    for name, figure in sorted(shown.items()):
        try:
            expected = landing_value(name, answers)
        except KeyError:
            wrong.append(f"{name}={figure.raw}: the API has no such figure")
            continue
        if not equal(figure, expected):
            wrong.append(f"{name}: page {figure.raw}, API {expected!r}")
    return wrong


async def test_the_landing_page_shows_the_apis_numbers(estate: Estate, sessions: Sessions) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    async with estate.api(SECURITY) as api:
        deadline = time.monotonic() + CONSISTENT_WITHIN
        while True:
            await settled(page)
            shown = await figures(page.locator("#main"))
            answers = await landing_answers(api)
            wrong = disagreements(shown, answers)
            if not wrong or time.monotonic() > deadline:
                break
            await page.reload()
    assert not wrong, "the landing page differs from the API:\n" + "\n".join(wrong)

    summary = answers["summary"]
    # the headline figures are there, formatted as people read them
    for name in ("overall_pct", "evaluated_assets", "open", "exempted", "closed"):
        assert name in shown, f"the landing page has no {name} figure"
    assert shown["overall_pct"].text == shown_as_pct(summary["overall_pct"])
    assert shown["open"].text == shown_as_count(summary["open"])
    assert shown["evaluated_assets"].value == len(estate.buckets)
    # every severity, every category with results, and each failing policy up to ten
    for severity in SEVERITIES:
        assert f"open_by_severity.{severity}" in shown
    assert sum(answers["severity"].values()) == summary["open"] == len(estate.violations)
    for category in summary["categories"]:
        assert f"categories.{category['category']}.compliance_pct" in shown
    failing = [p for p in summary["policies"] if p["failing"] > 0]
    listed = {n.split(".")[1] for n in shown if n.startswith("policies.")}
    assert len(listed) == min(10, len(failing)), listed
    assert estate.account_id in {n.split(".")[1] for n in shown if n.startswith("accounts.")} or (
        not answers["accounts"]
    )
