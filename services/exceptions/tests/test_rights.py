"""Who may request what: owners only for their own assets, scoped callers inside their scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pacbot.common.events import ExceptionCriteria
from pacbot.exceptions.grants import rights
from pacbot.exceptions.grants.identity import Actor, Forbidden
from pacbot.exceptions.grants.validation import ValidRequest

ASSETS = {
    "arn:mine": {"account_id": "111111111111", "tags": {"Owner": "alice@x"}},
    "arn:team": {"account_id": "111111111111", "tags": {"owner": "payments"}},
    "arn:theirs": {"account_id": "222222222222", "tags": {"Owner": "bob@x"}},
}


@pytest.fixture(autouse=True)
def inventory(monkeypatch: pytest.MonkeyPatch) -> None:
    async def asset(_runtime: Any, asset_id: str) -> dict[str, Any]:
        return ASSETS[asset_id]

    monkeypatch.setattr(rights, "_asset", asset)


def resource(*asset_ids: str) -> ValidRequest:
    expires = datetime.now(UTC) + timedelta(days=3)
    return ValidRequest("resource", list(asset_ids), ["p"], None, "why", expires)


def sticky(**criteria: Any) -> ValidRequest:
    expires = datetime.now(UTC) + timedelta(days=3)
    return ValidRequest("sticky", [], ["p"], ExceptionCriteria(**criteria), "why", expires)


OWNER = Actor("alice@x", frozenset({"owner"}), groups=frozenset({"payments"}))


async def test_owner_requests_for_own_and_group_assets_only() -> None:
    await rights.check_requester(None, OWNER, resource("arn:mine", "arn:team"))  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match="not owned by alice@x"):
        await rights.check_requester(None, OWNER, resource("arn:mine", "arn:theirs"))  # type: ignore[arg-type]


async def test_owner_sticky_must_pin_the_owner_tag_to_them() -> None:
    await rights.check_requester(None, OWNER, sticky(tags={"Owner": ["alice@x", "payments"]}))  # type: ignore[arg-type]
    for criteria in ({"accounts": ["111111111111"]}, {"tags": {"Owner": "bob@x"}}):
        with pytest.raises(Forbidden, match="pin the Owner tag"):
            await rights.check_requester(None, OWNER, sticky(**criteria))  # type: ignore[arg-type]


async def test_viewer_may_not_request_and_security_may_for_anything() -> None:
    viewer = Actor("v@x", frozenset({"viewer"}))
    with pytest.raises(Forbidden, match="owner, security or admin"):
        await rights.check_requester(None, viewer, resource("arn:mine"))  # type: ignore[arg-type]
    security = Actor("s@x", frozenset({"security"}))
    await rights.check_requester(None, security, resource("arn:theirs"))  # type: ignore[arg-type]
    await rights.check_requester(None, security, sticky(regions=["us-east-1"]))  # type: ignore[arg-type]


async def test_account_scope_holds_for_every_role() -> None:
    scoped = Actor("s@x", frozenset({"security"}), accounts=frozenset({"111111111111"}))
    await rights.check_requester(None, scoped, resource("arn:mine"))  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match="outside s@x's scope"):
        await rights.check_requester(None, scoped, resource("arn:theirs"))  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match=r"criteria\.accounts"):
        await rights.check_requester(None, scoped, sticky(regions=["us-east-1"]))  # type: ignore[arg-type]
