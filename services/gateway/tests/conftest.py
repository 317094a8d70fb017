"""Gateway test kit: keys issued straight into the gateway's database, as an operator would."""

from __future__ import annotations

from fastapi import FastAPI

from pacbot.gateway.auth.keys import KeySpec, issue_direct


async def key_for(
    app: FastAPI,
    *roles: str,
    subject: str | None = None,
    groups: tuple[str, ...] = (),
    accounts: tuple[str, ...] | None = None,
    asset_groups: tuple[str, ...] | None = None,
) -> dict[str, str]:
    """``Authorization`` headers for a fresh key with ``roles`` (and scope)."""
    spec = KeySpec.of(
        roles, subject=subject, groups=groups, accounts=accounts, asset_groups=asset_groups
    )
    token = await issue_direct(app.state.runtime.db, spec)
    return {"Authorization": f"Bearer {token}"}
