"""What a newcomer sees: ``pacbot demo --json`` runs while serving the dashboard. Its JSON
report matches the seeded estate's declarations and the API its printed link signs in to; that
link opened in Chromium lands on the compliance page showing the demo's own figures; every page
of the menu works (no error box, no missing value shown as text) and is saved as
``demo-<page>.png``. SIGINT then stops it, as Ctrl-C would: exit 0, nothing on stderr, nothing
after the report, moto stopped, its data removed, the dashboard gone.

The demo is a process of its own with its own moto (about a minute on two cores); the dev stack's
servers are not used. One run serves all of these checks (the text report with fixes applied
is ``libs/cli/tests/test_demo_e2e.py``'s own run).
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from libs.cli.tests.test_demo_e2e import (
    Reader,
    _check_against_declarations,
    _check_against_the_api,
    _children,
    _demo,
    _first_json,
    stopped_cleanly,
)
from tests.browser.figures import figures, shown_as_pct
from tests.browser.rig import Sessions
from tests.browser.test_dashboard import Tour, settled

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.timeout(600),
    pytest.mark.asyncio(loop_scope="module"),
]


async def test_the_demos_report_and_link_show_its_estate_then_sigint_stops_it(
    browser: Browser, tmp_path: Path
) -> None:
    demo = _demo(tmp_path, "--json", "--port", "0")
    out, err = Reader(demo.stdout), Reader(demo.stderr)
    sessions: Sessions | None = None
    moto: list[int] = []
    try:
        report = await asyncio.to_thread(_first_json, out, demo, 420)
        _check_against_declarations(report)
        await asyncio.to_thread(_check_against_the_api, report)
        moto = _children(demo.pid)
        assert moto, "the demo runs moto in a process of its own"
        link, base = report["dashboard"]["login"], report["dashboard"]["url"]
        assert link.startswith(f"{base}/#/login?key=pbk_")
        sessions = Sessions(browser, base)
        page = await (await sessions.new()).page()
        await page.goto(link)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
        assert "key=" not in page.url, "the key does not stay in the address"
        await settled(page)

        shown = await figures(page.locator("#main"))
        compliance = report["compliance"]
        assert shown["overall_pct"].text == shown_as_pct(compliance["overall_pct"])
        for category, pct in compliance["by_category"].items():
            assert shown[f"categories.{category}.compliance_pct"].text == shown_as_pct(pct)
        for severity, n in report["violations"]["by_severity"].items():
            assert shown[f"open_by_severity.{severity}"].value == n
        assert shown["open"].value == report["violations"]["total"]

        tour = Tour()
        entries = await tour.menu(page, "-demo")
        assert len(entries) >= 7, entries
        assert tour.problems == []
        assert all(path.stat().st_size > 0 for path in tour.shots.values())
    finally:
        errors = await sessions.close() if sessions is not None else []
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(demo.wait, 60)
            except Exception:
                demo.kill()
                demo.wait()
    assert errors == []
    assert demo.returncode == 0
    await asyncio.to_thread(stopped_cleanly, out, err, moto, tmp_path, report["dashboard"]["url"])
