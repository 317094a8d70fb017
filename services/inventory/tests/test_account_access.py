"""GET /accounts/{id}/access: the assume-role details, for peer services only."""

from __future__ import annotations

from typing import Any

import pytest

from pacbot.common.auth import service_principal
from pacbot.common.events import utcnow
from pacbot.common.testing import as_user
from pacbot.inventory.models import Account

ACCOUNT = "111122223333"
OWN = "123456789012"  # moto's: the service's own credentials act in it
ROLE = f"arn:aws:iam::{ACCOUNT}:role/pacbot"


async def _store(inventory: Any, *, external_id: str | None, enabled: bool = True) -> None:
    """An onboarded account, stored directly (no STS round trip needed to read it back)."""
    async with inventory.runtime.db.session() as session:
        session.add(
            Account(
                account_id=ACCOUNT,
                name="prod",
                role_arn=ROLE,
                external_id=external_id,
                regions=["us-east-1"],
                created_at=utcnow(),
                enabled=enabled,
                status="valid",
                source="manual",
            )
        )


def _peer(inventory: Any, name: str = "autofix") -> dict[str, str]:
    """The Authorization header a peer service signs its call with."""
    token = inventory.runtime.tokens.mint(service_principal(name), inventory.runtime.name)
    return {"Authorization": f"Bearer {token}"}


async def test_a_peer_service_gets_the_role_and_external_id(inventory: Any) -> None:
    await _store(inventory, external_id="s3cret-external-id", enabled=False)

    response = await inventory.client.get(f"/accounts/{ACCOUNT}/access", headers=_peer(inventory))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "account_id": ACCOUNT,
        "role_arn": ROLE,
        "external_id": "s3cret-external-id",
        "enabled": False,
    }
    public = (await inventory.client.get(f"/accounts/{ACCOUNT}")).json()
    assert "external_id" not in public
    assert public["has_external_id"] is True


async def test_an_account_without_external_id_says_null(inventory: Any) -> None:
    await _store(inventory, external_id=None)
    response = await inventory.client.get(f"/accounts/{ACCOUNT}/access", headers=_peer(inventory))
    assert response.json()["external_id"] is None


@pytest.mark.parametrize("role", ["viewer", "owner", "security"])
async def test_people_are_refused_whatever_their_role(inventory: Any, role: str) -> None:
    await _store(inventory, external_id="s3cret-external-id")

    response = await inventory.client.get(
        f"/accounts/{ACCOUNT}/access", headers=as_user("someone@acme.example", role)
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "s3cret" not in response.text


async def test_an_unknown_account_is_a_404_problem(inventory: Any) -> None:
    response = await inventory.client.get("/accounts/999999999999/access", headers=_peer(inventory))

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "account_id"


async def test_with_none_onboarded_the_swept_own_account_is_reached_without_a_role(
    inventory: Any,
) -> None:
    own = await inventory.client.get(f"/accounts/{OWN}/access", headers=_peer(inventory))
    assert own.status_code == 200, own.text
    assert own.json() == {
        "account_id": OWN,
        "role_arn": None,
        "external_id": None,
        "enabled": True,
    }
    other = await inventory.client.get(f"/accounts/{ACCOUNT}/access", headers=_peer(inventory))
    assert other.status_code == 404

    await _store(inventory, external_id=None)  # once one is onboarded, only those are swept
    own = await inventory.client.get(f"/accounts/{OWN}/access", headers=_peer(inventory))
    assert own.status_code == 404


async def test_an_unsigned_call_is_refused(inventory: Any) -> None:
    await _store(inventory, external_id="s3cret-external-id")
    response = await inventory.client.get(
        f"/accounts/{ACCOUNT}/access", headers={"Authorization": "Bearer forged"}
    )
    assert response.status_code == 401
