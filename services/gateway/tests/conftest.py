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
    spec = KeySpec(
        name=subject or "-".join(roles),
        roles=frozenset(roles),
        subject=subject,
        groups=frozenset(groups),
        accounts=None if accounts is None else frozenset(accounts),
        asset_groups=None if asset_groups is None else frozenset(asset_groups),
    )
    token = await issue_direct(app.state.runtime.db, spec)
    return {"Authorization": f"Bearer {token}"}
