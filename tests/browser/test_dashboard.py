"""The compliance dashboard in Chromium, against the six services on the real dev stack."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.rig import SECURITY, Estate, Sessions

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real,
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(150),
]


async def test_the_gateway_serves_the_dashboard_and_a_key_signs_in(
    estate: Estate, sessions: Sessions
) -> None:
    session = await sessions.new()
    page = await session.page()
    await page.goto("/#/login")
    await page.get_by_label("API key").fill(estate.key(SECURITY))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_label("API key")).to_have_count(0)
    await expect(page.get_by_role("heading", level=1)).to_have_count(1)
