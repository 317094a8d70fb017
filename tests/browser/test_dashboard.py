"""The compliance dashboard in Chromium, against the six services on the real dev stack.

The tests run in file order on one cluster (see ``conftest.py``): what a later test sees (an
exempted violation, a dry-run fix) is what an earlier one did, and the screenshots come last.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Page, expect

from pacbot.common.testing import eventually
from tests.browser.figures import (
    Figure,
    by_key,
    equal,
    figures,
    shown_as_count,
    shown_as_pct,
)
from tests.browser.rig import (
    GROUP,
    OWNER,
    PAYMENTS,
    PUBLIC,
    SCRATCH,
    SCREENSHOTS,
    SECURITY,
    UI_TIMEOUT_MS,
    VIEWER,
    Estate,
    Sessions,
    screenshot,
)

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


async def landing_answers(api: httpx.AsyncClient, group: str = "") -> dict[str, Any]:
    """What the API says for every figure of the landing page, in an asset group or not."""
    scoped = {"group": group} if group else {}
    summary = await api.get("/api/v1/compliance/summary", params=scoped)
    assert summary.status_code == 200, summary.text
    trend = await api.get(
        "/api/v1/compliance/trend",
        params={"scope": f"group:{group}" if group else "all", "days": "30"},
    )
    assert trend.status_code == 200, trend.text
    answers: dict[str, Any] = {"summary": summary.json(), "trend": trend.json()}
    answers["severity"] = {}
    for severity in SEVERITIES:
        page = await api.get(
            "/api/v1/violations", params={"status": "open", "severity": severity, "limit": "1"}
        )
        assert page.status_code == 200, page.text
        answers["severity"][severity] = page.json()["total"]
    for by, name, params in (
        ("account_id", "accounts", scoped),
        ("group", "groups", {}),
    ):
        found = await api.get(
            "/api/v1/compliance/breakdown", params={"by": by, "limit": "10", **params}
        )
        assert found.status_code == 200, found.text
        answers[name] = found.json()["items"]
    return answers


def landing_value(name: str, answers: dict[str, Any]) -> Any:
    """The API's value for the landing page's figure ``name``; KeyError when none matches."""
    summary = answers["summary"]
    head, _, rest = name.partition(".")
    if not rest:
        return summary[head]
    if head == "open_by_severity":
        counted = summary.get("open_by_severity")
        return answers["severity"][rest] if counted is None else counted.get(rest, 0)
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


async def landing_as_the_api_says(
    page: Page, api: httpx.AsyncClient, group: str = ""
) -> tuple[dict[str, Figure], dict[str, Any]]:
    """The landing page's figures and the API's answers, once they agree (the services may
    still be settling a change: the page is reloaded for up to ``CONSISTENT_WITHIN``)."""
    deadline = time.monotonic() + CONSISTENT_WITHIN
    while True:
        await settled(page)
        shown = await figures(page.locator("#main"))
        answers = await landing_answers(api, group)
        wrong = disagreements(shown, answers)
        if not wrong or time.monotonic() > deadline:
            break
        await page.reload()
    assert not wrong, "the landing page differs from the API:\n" + "\n".join(wrong)
    return shown, answers


async def test_the_landing_page_shows_the_apis_numbers(estate: Estate, sessions: Sessions) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    async with estate.api(SECURITY) as api:
        shown, answers = await landing_as_the_api_says(page, api)

    summary = answers["summary"]
    # the headline figures are there, formatted as people read them
    for name in ("overall_pct", "evaluated_assets", "open", "exempted", "closed"):
        assert name in shown, f"the landing page has no {name} figure"
    assert shown["overall_pct"].text == shown_as_pct(summary["overall_pct"])
    assert shown["open"].text == shown_as_count(summary["open"])
    assert shown["evaluated_assets"].value == len(estate.buckets)
    # every severity (the API's two ways of counting agree), every category with results, each
    # failing policy up to ten, the account and the asset group
    for severity in SEVERITIES:
        assert f"open_by_severity.{severity}" in shown
    assert sum(answers["severity"].values()) == summary["open"] == len(estate.violations)
    for category in summary["categories"]:
        assert f"categories.{category['category']}.compliance_pct" in shown
    failing = [p for p in summary["policies"] if p["failing"] > 0]
    listed = {n.split(".")[1] for n in shown if n.startswith("policies.")}
    assert len(listed) == min(10, len(failing)), listed
    assert shown[f"accounts.{estate.account_id}.open"].value == len(estate.violations)
    assert f"groups.{GROUP}.open" in shown, sorted(shown)


async def test_the_asset_group_selector_scopes_the_landing_page(
    estate: Estate, sessions: Sessions
) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    await page.get_by_label("Asset group").select_option(GROUP)
    await expect(page).to_have_url(re.compile(rf"group={GROUP}"))
    await expect(page.get_by_text(f"Asset group {GROUP}", exact=True)).to_be_visible()
    async with estate.api(SECURITY) as api:
        shown, answers = await landing_as_the_api_says(page, api, GROUP)
    members = [b for b in estate.buckets if b.tags.get("Environment") == "prod"]
    assert shown["evaluated_assets"].value == len(members)
    assert answers["summary"]["evaluated_assets"] == len(members)
    # the choice follows the navigation, and is kept for the next visit
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Violations")).to_have_attribute(
        "href", re.compile(rf"group={GROUP}")
    )
    await page.goto("/#/")
    await expect(page.get_by_label("Asset group")).to_have_value(GROUP)
    await page.get_by_label("Asset group").select_option(label="All assets")
    await expect(page.locator("#main").get_by_text("All assets", exact=True)).to_be_visible()


# --- violations ---------------------------------------------------------------------------------


async def shown_violations(page: Page) -> list[str]:
    """The violation ids of the table's rows, top to bottom (none when there is no table)."""
    ids: list[str] = await page.get_by_role("table", name="Violations").evaluate_all(
        "tables => tables.flatMap(t => [...t.tBodies[0].rows].map(r => r.dataset.violationId))"
    )
    return ids


async def shows_rows(page: Page, wanted: list[str]) -> None:
    """The table comes to show exactly ``wanted``, in order (the page renders after the address
    changes, so the previous rows may still be there for a moment)."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while (shown := await shown_violations(page)) != wanted and time.monotonic() < deadline:
        await page.wait_for_timeout(100)
    await settled(page)
    assert shown == wanted, f"the table shows {shown}, the API {wanted}"


async def listed(api: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    """``GET /api/v1/violations`` with ``params``, as the dashboard asks (newest change first)."""
    query = {"sort": "updated_at", "order": "desc", "limit": "50", **params}
    answer = await api.get("/api/v1/violations", params=query)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_filtering_violations_shows_exactly_the_apis_answer(
    estate: Estate, sessions: Sessions
) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Violations").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Violations")
    await settled(page)
    filters = page.get_by_role("search", name="Violation filters")

    async with estate.api(SECURITY) as api:
        # tagging problems of this account: the untagged buckets and the bad Environment value
        await filters.get_by_label("Status").select_option(label="Open")
        await filters.get_by_label("Category").select_option(label="Tagging")
        await filters.get_by_label("Account").fill(estate.account_id)
        await filters.get_by_role("button", name="Apply filters").click()
        await expect(page).to_have_url(re.compile(r"category=tagging"))
        await settled(page)
        wanted = await listed(api, status="open", category="tagging", account_id=estate.account_id)
        assert wanted["total"] == 1 + SCRATCH + 1, wanted  # cloudtrail-logs, scratch, partner
        await shows_rows(page, [v["violation_id"] for v in wanted["items"]])
        total = (await figures(page.locator("#results")))["total"]
        assert total.value == wanted["total"]
        assert {v["category"] for v in wanted["items"]} == {"tagging"}

        # one policy, critical: the public buckets (the Policy filter names policies)
        await filters.get_by_label("Category").select_option(label="Any")
        await filters.get_by_label("Policy").select_option(PUBLIC)
        await filters.get_by_label("Severity").select_option(label="Critical")
        await filters.get_by_role("button", name="Apply filters").click()
        await expect(page).to_have_url(re.compile(rf"policy_id={PUBLIC}"))
        await settled(page)
        wanted = await listed(
            api,
            status="open",
            severity="critical",
            policy_id=PUBLIC,
            account_id=estate.account_id,
        )
        publics = {b.name for b in estate.buckets if b.public_acl or b.public_policy}
        assert {v["asset_name"] for v in wanted["items"]} == publics
        await shows_rows(page, [v["violation_id"] for v in wanted["items"]])
        table = page.get_by_role("table", name="Violations")
        for bucket in publics:
            await expect(table.get_by_role("link", name=bucket, exact=True)).to_be_visible()

        # a filter nothing matches says so
        await filters.get_by_label("Status").select_option(label="Closed")
        await filters.get_by_role("button", name="Apply filters").click()
        await settled(page)
        assert (await listed(api, status="closed", policy_id=PUBLIC))["total"] == 0
        await expect(page.get_by_text("No violation matches these filters.")).to_be_visible()
        await shows_rows(page, [])


async def test_violations_page_and_sort_as_the_api_does(estate: Estate, sessions: Sessions) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(VIEWER))
    await page.goto(f"/#/violations?status=open&account_id={estate.account_id}&limit=25")
    await settled(page)
    async with estate.api(VIEWER) as api:
        query = {"status": "open", "account_id": estate.account_id, "limit": "25"}
        first = await listed(api, **query)
        assert first["total"] == len(estate.violations) > 25
        await shows_rows(page, [v["violation_id"] for v in first["items"]])
        await page.get_by_role("button", name="Next page").click()
        await settled(page)
        second = await listed(api, **query, cursor=first["next_cursor"])
        await shows_rows(page, [v["violation_id"] for v in second["items"]])
        everything = {v["violation_id"] for v in first["items"] + second["items"]}
        assert everything == {v["violation_id"] for v in estate.violations}
        await expect(page.get_by_role("button", name="Next page")).to_have_count(0)

        # sorting asks the API: the severity header, descending then ascending
        await page.get_by_role("button", name="First page").click()
        await settled(page)
        header = page.get_by_role("columnheader", name="Severity")
        await header.get_by_role("button").click()
        await expect(header).to_have_attribute("aria-sort", "descending")
        await settled(page)
        by_severity = await listed(api, **query, sort="severity", order="desc")
        await shows_rows(page, [v["violation_id"] for v in by_severity["items"]])
        await page.get_by_role("columnheader", name="Severity").get_by_role("button").click()
        await expect(page.get_by_role("columnheader", name="Severity")).to_have_attribute(
            "aria-sort", "ascending"
        )
        await settled(page)
        ascending = await listed(api, **query, sort="severity", order="asc")
        await shows_rows(page, [v["violation_id"] for v in ascending["items"]])


async def test_an_owner_starts_at_the_open_violations_of_their_team(
    estate: Estate, sessions: Sessions
) -> None:
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(OWNER))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Violations")
    await settled(page)
    async with estate.api(OWNER) as api:
        mine = await listed(api, status="open")
    theirs = {b.name for b in estate.buckets if b.tags.get("Owner") == PAYMENTS}
    assert {v["asset_name"] for v in mine["items"]} == theirs
    await shows_rows(page, [v["violation_id"] for v in mine["items"]])


# --- an exception: requested by the owner, approved by security ---------------------------------


async def test_an_exception_requested_by_the_owner_and_approved_by_security_exempts_it(
    estate: Estate, sessions: Sessions
) -> None:
    violation = estate.violation("acme-payments-exports", PUBLIC)
    address = f"/#/violations/{quote(violation['violation_id'], safe='')}"
    reason = "partners download the monthly exports; reviewed with security"

    owner = await (await sessions.new()).page()
    await sign_in(owner, estate.key(OWNER))
    await owner.goto(address)
    await settled(owner)
    await owner.get_by_role("button", name="Request exception").click()
    request = owner.get_by_role("form", name="Request an exception")
    await request.get_by_label("Reason").fill(reason)
    await request.get_by_role("button", name="Submit request").click()
    said = owner.get_by_role("region", name="Actions").get_by_role("status")
    await expect(said).to_contain_text("pending until security decides")
    exception_id = await said.get_attribute("data-exception-id")
    assert exception_id

    security = await (await sessions.new()).page()
    await sign_in(security, estate.key(SECURITY))
    await (
        security.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Exceptions")
        .click()
    )
    await settled(security)
    waiting = security.get_by_role("region", name="Awaiting approval")
    row = waiting.get_by_role("row").filter(has_text=exception_id)
    await expect(row).to_contain_text(OWNER.subject)
    await expect(row).to_contain_text(reason)
    await row.get_by_role("button", name="Approve").click()
    await expect(row.get_by_role("status")).to_contain_text(f"Exception {exception_id} approved")

    async with estate.api(SECURITY) as api:
        decided = (await api.get(f"/api/v1/exceptions/{exception_id}")).json()
        assert (decided["status"], decided["requester"], decided["approver"]) == (
            "active",
            OWNER.subject,
            SECURITY.subject,
        )

        async def exempted() -> dict[str, Any]:
            found: dict[str, Any] = (
                await api.get(f"/api/v1/violations/{violation['violation_id']}")
            ).json()
            return found if found["status"] == "exempted" else {}

        after = await eventually(exempted, timeout=30, what="the violation exempted")
        assert after["exception_id"] == exception_id

    # the owner's page now says so, and names the exception
    await owner.reload()
    await settled(owner)
    await expect(owner.locator("[data-field=status]")).to_have_attribute("data-value", "exempted")
    await expect(owner.get_by_role("link", name=exception_id)).to_be_visible()
    await expect(owner.get_by_role("button", name="Request exception")).to_have_count(0)
    await owner.goto("/#/violations?status=exempted")
    await settled(owner)
    await shows_rows(owner, [violation["violation_id"]])


# --- fix now, in dry run ------------------------------------------------------------------------


async def test_fix_now_in_dry_run_says_so_and_changes_nothing(
    estate: Estate, sessions: Sessions
) -> None:
    violation = estate.violation("acme-build-cache", PUBLIC)
    bucket = violation["asset_name"]
    page = await (await sessions.new()).page()
    await sign_in(page, estate.key(SECURITY))
    await page.goto(f"/#/violations/{quote(violation['violation_id'], safe='')}")
    await settled(page)
    await page.get_by_role("button", name="Fix now").click()
    answer = page.get_by_role("region", name="Actions").get_by_role("status")
    await expect(answer).to_contain_text("Dry run")
    # the page follows the plan until it acts (AutoFix's timer runs it at once)
    await expect(answer).to_have_attribute("data-plan-status", "dry_run", timeout=30_000)
    await expect(answer).to_have_attribute("data-dry-run", "true")
    plan_id = await answer.get_attribute("data-plan-id")
    assert plan_id

    async with estate.api(SECURITY) as api:
        found = await api.get("/api/v1/fixes", params={"violation_id": violation["violation_id"]})
        assert found.status_code == 200, found.text
        assert [(p["plan_id"], p["status"], p["dry_run"]) for p in found.json()["items"]] == [
            (plan_id, "dry_run", True)
        ]
        plan = (await api.get(f"/api/v1/fixes/{plan_id}")).json()
    assert plan["requested_by"] == SECURITY.subject
    assert plan["applied_at"] is None
    assert "dry run" in plan["detail"], plan["detail"]
    steps = [step["step"] for step in plan["history"]]
    assert "dry_run" in steps, steps
    assert "applied" not in steps, steps
    assert estate.public_access_block(bucket) is None  # moto's bucket is as it was

    # the plan's own page says it changed nothing
    await answer.get_by_role("link", name="Open the plan").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(plan_id)
    await settled(page)
    await expect(page.locator("[data-field=dry_run]")).to_have_text("yes: nothing is changed")
    await expect(page.locator("[data-field=status]")).to_have_attribute("data-value", "dry_run")


# --- every page, as a screenshot ----------------------------------------------------------------


def slug(text: str) -> str:
    """A file name for a page: ``AutoFix`` -> ``autofix``, ``Asset groups`` -> ``asset-groups``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


STRAY_TEXT = """main => {
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const stray = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        if (['null', 'undefined', 'NaN', '[object Object]'].includes(text)) {
            stray.push(`${text} in <${node.parentElement.tagName.toLowerCase()}>`);
        }
    }
    return stray;
}"""
"""Text nodes that are a script's missing value rendered as words (``null``, ``undefined``...)."""


@dataclass
class Tour:
    """The pages visited: their screenshots, and what was wrong on any of them."""

    shots: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    async def works(self, page: Page, name: str) -> None:
        """Save the page's full-page screenshot (pointer off the navigation, so no hover shows)
        and note an error box or a missing value shown as text (``null``)."""
        await settled(page)
        await page.mouse.move(0, 0)
        self.shots[name] = await screenshot(page, name)
        alerts = await page.locator("#main").get_by_role("alert").all_inner_texts()
        self.problems += [f"{name}: an error box says {text!r}" for text in alerts]
        stray = await page.locator("#main").evaluate(STRAY_TEXT)
        self.problems += [f"{name}: shows a missing value as text: {text}" for text in stray]

    async def menu(self, page: Page, suffix: str = "") -> list[str]:
        """Visit every entry of the main navigation (each becomes the current one); its names."""
        nav = page.get_by_role("navigation", name="Main")
        entries = await nav.get_by_role("link").all_inner_texts()
        for entry in entries:
            link = nav.get_by_role("link", name=entry, exact=True)
            await link.click()
            await expect(link).to_have_attribute("aria-current", "page")
            await self.works(page, slug(entry) + suffix)
        return entries


async def a_decided_exception(estate: Estate) -> str:
    """An exception of the estate (the earlier test's, else one requested now through the API)."""
    async with estate.api(SECURITY) as api:
        found = (await api.get("/api/v1/exceptions", params={"limit": "1"})).json()["items"]
        if found:
            return str(found[0]["exception_id"])
    violation = estate.violation("acme-payments-exports", PUBLIC)
    async with estate.api(OWNER) as owner:
        made = await owner.post(
            "/api/v1/exceptions",
            json={
                "asset_ids": [violation["asset_id"]],
                "policy_ids": [PUBLIC],
                "reason": "partners download the monthly exports",
                "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
            },
        )
    assert made.status_code == 201, made.text
    return str(made.json()["exception_id"])


async def test_every_page_works_and_is_saved_as_a_screenshot(
    estate: Estate, sessions: Sessions
) -> None:
    for old in SCREENSHOTS.glob("*.png"):  # this run's pages only
        old.unlink()
    tour = Tour()
    page = await (await sessions.new()).page()
    await page.goto("/#/login")
    await tour.works(page, "login")

    await sign_in(page, estate.key(SECURITY))
    entries = await tour.menu(page)
    assert {
        "Compliance",
        "Violations",
        "Assets",
        "Policies",
        "Exceptions",
        "AutoFix",
        "Frameworks",
    } <= set(entries), entries

    # one of each detail page, the ones the other tests acted on where they exist
    violation = estate.violation("acme-payments-exports", PUBLIC)
    async with estate.api(SECURITY) as api:
        plans = (await api.get("/api/v1/fixes", params={"limit": "50"})).json()["items"]
        listed_frameworks = await api.get("/api/v1/frameworks", params={"limit": "10"})
    assert listed_frameworks.status_code == 200, listed_frameworks.text
    frameworks = [f["framework_id"] for f in listed_frameworks.json()["items"]]
    assert "cis-aws-3.0" in frameworks, frameworks
    assert plans, "AutoFix planned nothing for the estate's public and unencrypted buckets"
    plan = next((p for p in plans if p["status"] == "dry_run"), plans[0])
    details = {
        "violation": ("violations", violation["violation_id"]),
        "asset": ("assets", violation["asset_id"]),
        "policy": ("policies", PUBLIC),
        "exception": ("exceptions", await a_decided_exception(estate)),
        "autofix-plan": ("autofix", plan["plan_id"]),
        "framework": ("frameworks", "cis-aws-3.0"),
    }
    for name, (where, ident) in details.items():
        await page.goto(f"/#/{where}/{quote(ident, safe='')}")
        await tour.works(page, name)
    await page.goto("/#/policies/whatif")
    await tour.works(page, "policy-whatif")
    await page.goto("/#/no-such-page")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await tour.works(page, "not-found")

    # an owner's menu offers only what an owner may read, and those pages work as well
    owner = await (await sessions.new()).page()
    await sign_in(owner, estate.key(OWNER))
    offered = await tour.menu(owner, "-as-owner")
    assert "Violations" in offered, offered
    assert not {"Compliance", "AutoFix"} & set(offered), offered
    await owner.goto(f"/#/violations/{quote(violation['violation_id'], safe='')}")
    await tour.works(owner, "violation-as-owner")

    for name, path in tour.shots.items():
        assert path == SCREENSHOTS / f"{name}.png"
        assert path.read_bytes().startswith(b"\x89PNG"), name
        assert path.stat().st_size > 10_000, f"{name}.png is nearly empty"
    assert not tour.problems, "pages that do not work:\n" + "\n".join(tour.problems)
