"""``GET /exceptions`` pages the one way: ``limit`` and ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

import httpx
import pytest

from pacbot.common.testing import check_cursor_paging
from services.exceptions.tests.kit import ALICE, QUEUE_DLQ, in_days, resource_body

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_exceptions(client: httpx.AsyncClient) -> None:
    made = []
    for n in range(5):
        body = resource_body(expires_at=in_days(n + 1), reason=f"reason {n}")
        response = await client.post("/exceptions", json=body, headers=ALICE)
        assert response.status_code == 201, response.text
        made.append(response.json()["exception_id"])
    listed = (await client.get("/exceptions", params={"status": "pending"})).json()
    newest_first = [item["exception_id"] for item in listed["items"]]
    assert sorted(newest_first) == sorted(made)
    await check_cursor_paging(
        client,
        "/exceptions",
        params={"status": "pending"},
        expected=newest_first,
        key="exception_id",
        changed={"status": "pending", "policy_id": QUEUE_DLQ},
    )
    page = (await client.get("/exceptions", params={"limit": 2})).json()
    assert (page["total"], len(page["items"])) == (5, 2)
