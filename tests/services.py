"""Run the six services as separate processes against the real dev stack.

Every process gets the same ``PACBOT_INTERNAL_SECRET``; the test makes its first gateway key as an
operator would (``pacbot-gateway admin create-key`` with the gateway's environment), and the
others through the API with that admin key.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from pacbot.cli.devstack import StackInfo
from pacbot.common.auth import InternalAuth, InternalTokens
from tests.actors import ADMIN, Identity, bearer

SERVICES = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(
    stack: StackInfo, database: str, ports: dict[str, int], extra: dict[str, str]
) -> dict[str, str]:
    """The environment every service process gets: real servers, peers, fast timers, and one
    internal secret (this test run's, else a new one) shared by all six."""
    env = {**os.environ, **stack.env()}
    env.setdefault("PACBOT_INTERNAL_SECRET", secrets.token_urlsafe(48))
    env["PACBOT_POSTGRES_URL"] = stack.postgres_url.rsplit("/", 1)[0] + f"/{database}"
    urls = json.dumps({name: f"http://127.0.0.1:{port}" for name, port in ports.items()})
    for name, port in ports.items():
        prefix = f"PACBOT_{name.upper()}_"
        env[prefix + "PORT"] = str(port)
        env[prefix + "SERVICE_URLS"] = urls
        env[prefix + "AWS_ENDPOINT_URL"] = stack.moto_url
        env[prefix + "LOG_LEVEL"] = "INFO"
    env.update(extra)
    return env


BINDIR = Path(sys.executable).parent


def create_key(env: dict[str, str], who: Identity, name: str) -> str:
    """A gateway key made as the operator: ``pacbot-gateway admin create-key``; its token."""
    argv = [str(BINDIR / "pacbot-gateway"), "admin", "create-key", "--name", name]
    argv += ["--subject", who.subject]
    for role in who.roles:
        argv += ["--role", role]
    for group in who.groups:
        argv += ["--group", group]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip().splitlines()[-1]


@dataclass
class Cluster:
    """The six running processes: their URLs and environment, and ways to call them."""

    urls: dict[str, str]
    env: dict[str, str]
    _admin: str | None = field(default=None, repr=False)

    def gateway(self, token: str | None = None) -> httpx.AsyncClient:
        """A client to the gateway carrying ``token`` (none: no credential at all)."""
        headers = bearer(token) if token else {}
        return httpx.AsyncClient(base_url=self.urls["gateway"], timeout=60, headers=headers)

    def signed(self, name: str) -> httpx.AsyncClient:
        """A client straight to service ``name``, signed with the shared internal secret."""
        tokens = InternalTokens(self.env["PACBOT_INTERNAL_SECRET"])
        auth = InternalAuth(tokens, caller="e2e-test", audience=name)
        return httpx.AsyncClient(base_url=self.urls[name], timeout=60, auth=auth)

    async def admin_key(self) -> str:
        """The bootstrap admin's key, made once with the CLI."""
        if self._admin is None:
            self._admin = await asyncio.to_thread(create_key, self.env, ADMIN, "e2e-bootstrap")
        return self._admin

    async def key(self, who: Identity) -> str:
        """A key for ``who``: the bootstrap admin's, or a new one the admin makes with the API."""
        admin_token = await self.admin_key()
        if who == ADMIN:
            return admin_token
        body = {"name": who.subject, "subject": who.subject, "roles": list(who.roles)}
        async with self.gateway(admin_token) as admin:
            made = await admin.post("/api/v1/keys", json={**body, "groups": list(who.groups)})
        assert made.status_code == 201, made.text
        token: str = made.json()["token"]
        return token


@contextmanager
def running_services(
    env: dict[str, str], ports: dict[str, int], logs: Path
) -> Iterator[dict[str, str]]:
    """Start every service's console script, wait for /readyz, stop them all afterwards."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for name in SERVICES:
            out = (logs / f"{name}.log").open("wb")
            procs[name] = subprocess.Popen(
                [str(BINDIR / f"pacbot-{name}")], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        urls = {name: f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
        for name, url in urls.items():
            _wait_ready(name, url, procs[name], logs / f"{name}.log")
        yield urls
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(
    name: str, url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} not ready after {timeout}s:\n{log.read_text()[-4000:]}")


async def fresh_database(stack: StackInfo, name: str) -> None:
    """An empty PostgreSQL database ``name`` on the dev stack (dropped first if it exists)."""
    conn = await asyncpg.connect(stack.postgres_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def fresh_topics(bootstrap: str) -> None:
    """Drop the PacBot topics so a run starts from an empty log (the services recreate them)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith("pacbot.")]
        if doomed:
            await admin.delete_topics(doomed)
            await asyncio.sleep(2)
    finally:
        await admin.close()


@asynccontextmanager
async def fresh_search_alias(opensearch_url: str, label: str) -> AsyncIterator[dict[str, str]]:
    """A search alias no earlier run has used (so the asset index starts empty), as the
    inventory's environment; its indices are deleted afterwards."""
    alias = f"pacbot-assets-{label}-{uuid.uuid4().hex[:10]}"
    try:
        yield {"PACBOT_INVENTORY_SEARCH_ALIAS": alias}
    finally:
        async with httpx.AsyncClient(timeout=60) as client:
            await client.delete(f"{opensearch_url}/{alias}*")
