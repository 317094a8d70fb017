"""``pacbot-gateway admin create-key``: the first key is made by the operator, printed once;
the database keeps only its hash, and the gateway accepts it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import SharedInfra
from pacbot.gateway.app import create_app
from pacbot.gateway.settings import GatewaySettings


def admin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``pacbot-gateway admin ARGS`` as an operator would."""
    command = Path(sys.executable).parent / "pacbot-gateway"
    return subprocess.run(
        [str(command), "admin", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_create_key_bootstraps_an_admin(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    env = {**os.environ, "PACBOT_GATEWAY_DATABASE_URL": url}
    made = await asyncio.to_thread(admin, env, "create-key", "--role", "admin", "--name", "boot")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("pbk_")
    assert "shown once" in made.stderr
    secret = token.split("_", 2)[2]  # pbk_<key id>_<secret>; the secret itself may hold "_"
    assert len(secret) >= 40
    assert secret not in (tmp_path / "gateway.db").read_bytes().decode("latin-1")

    refused = await asyncio.to_thread(admin, env, "create-key", "--role", "root")
    assert refused.returncode == 2
    assert "invalid choice: 'root'" in refused.stderr

    app = create_app(GatewaySettings(database_url=url, bus="memory"), SharedInfra(bus=MemoryBus()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200
            assert me.json()["roles"] == ["admin"]
            assert (await http.get("/api/v1/me")).status_code == 401
