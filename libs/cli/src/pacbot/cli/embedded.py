"""Embedded mode: the six services in one process, SQLite per service, the in-memory bus.

Each instance makes its own internal secret, so its services trust one another and nothing else;
people reach it through the gateway with API keys from ``issue_key``.

AutoFix fails closed here as everywhere: it fixes only the policies in ``autofix_policies``, in
the accounts they (or ``autofix_accounts``) allow, and a plan waits for its owner's notice to be
delivered, so without a channel in ``notify`` (an SMTP relay, a webhook, Slack) plans are held.
"""

from __future__ import annotations

import asyncio
import secrets
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from fastapi import FastAPI

from pacbot.assessor.app import create_app as assessor_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.autofix.app import create_app as autofix_app
from pacbot.autofix.settings import AutofixSettings, PolicyFix
from pacbot.common.auth import InternalAuth
from pacbot.common.aws import AwsSessionFactory
from pacbot.common.bus import MemoryBus
from pacbot.common.runtime import Runtime, SharedInfra
from pacbot.common.settings import InfraSettings
from pacbot.exceptions.app import create_app as exceptions_app
from pacbot.exceptions.settings import ExceptionsSettings
from pacbot.gateway.app import create_app as gateway_app
from pacbot.gateway.auth.keys import KeySpec, issue_direct
from pacbot.gateway.settings import GatewaySettings
from pacbot.inventory.app import create_app as inventory_app
from pacbot.inventory.settings import InventorySettings
from pacbot.violations.app import create_app as violations_app
from pacbot.violations.settings import ViolationsSettings

SERVICES = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")
CALLER = "embedded"
"""Direct (non-gateway) calls from ``client(name)`` are signed as ``service:embedded``."""
NOTIFY_POLL = {"notify_poll_seconds": 0.2, "notify_backoff_seconds": 1.0}
"""Embedded runs are short: deliver notifications promptly and retry a failed one soon."""


@dataclass
class EmbeddedOptions:
    """What a person can choose for an embedded run."""

    data_dir: Path
    aws_endpoint_url: str | None = None
    aws_region: str = "us-east-1"
    aws_max_attempts: int = 10
    """botocore's ``max_attempts``: how often an AWS call is retried (throttles, server
    errors) after its first try."""
    grace_seconds: float | None = None
    autofix_policies: dict[str, PolicyFix | dict[str, Any]] | None = None
    """Policy id -> how its fix runs (``PolicyFix`` or its fields); a policy not listed is never
    fixed (``PACBOT_AUTOFIX_POLICIES``)."""
    autofix_accounts: list[str] | None = None
    """Accounts a listed policy without its own ``accounts`` may change; None: no account
    (``PACBOT_AUTOFIX_ALLOWED_ACCOUNTS``)."""
    notify: dict[str, Any] = field(default_factory=dict)
    """``NotifySettings`` fields (``smtp_host``, ``smtp_port``, ``webhook_url``...) of every
    service that notifies (autofix, exceptions)."""
    dry_run: bool = False
    scan_interval_seconds: float = 0
    log_json: bool = False
    log_level: str = "WARNING"
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)


class EmbeddedPacBot:
    """All six apps wired to one bus, their HTTP calls to each other served in-process."""

    def __init__(self, options: EmbeddedOptions) -> None:
        self.options = options
        self._internal_secret = secrets.token_urlsafe(48)
        self.bus = MemoryBus()
        transports: dict[str, httpx.AsyncBaseTransport] = {}
        shared = SharedInfra(
            bus=self.bus,
            aws=AwsSessionFactory(
                endpoint_url=options.aws_endpoint_url,
                region=options.aws_region,
                max_attempts=options.aws_max_attempts,
            ),
            transports=transports,
        )
        self.apps: dict[str, FastAPI] = {
            name: factory(self._settings(name, cls), shared)
            for name, (factory, cls) in _FACTORIES.items()
        }
        transports.update({name: httpx.ASGITransport(app) for name, app in self.apps.items()})
        self._stack = AsyncExitStack()

    def _settings(self, name: str, cls: type) -> Any:
        o = self.options
        common: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{o.data_dir / name}.db",
            "bus": "memory",
            "aws_endpoint_url": o.aws_endpoint_url,
            "aws_region": o.aws_region,
            "log_json": o.log_json,
            "log_level": o.log_level,
            "outbox_poll_seconds": 0.05,
            "internal_secret": self._internal_secret,
            "infra": InfraSettings(embedded=True),
        }
        specific: dict[str, dict[str, Any]] = {
            "inventory": {
                "search": "database",
                "scan_interval_seconds": o.scan_interval_seconds,
                "regions": [o.aws_region],
            },
            "assessor": {"autofix_grace_override_seconds": o.grace_seconds},
            "exceptions": {**NOTIFY_POLL, **o.notify},
            "autofix": {
                "dry_run": o.dry_run,
                "policies": dict(o.autofix_policies or {}),
                "allowed_accounts": o.autofix_accounts,
                "grace_override_seconds": o.grace_seconds,
                "timer_poll_seconds": 0.2,
                **NOTIFY_POLL,
                **o.notify,
            },
        }
        # ``extra`` wins over everything above (it is the escape hatch for any setting).
        return cls(**{**common, **specific.get(name, {}), **o.extra.get(name, {})})

    def runtime(self, name: str) -> Runtime:
        """The runtime of one embedded service."""
        runtime: Runtime = self.apps[name].state.runtime
        return runtime

    async def issue_key(
        self,
        *roles: str,
        subject: str | None = None,
        groups: tuple[str, ...] = (),
        accounts: tuple[str, ...] | None = None,
    ) -> str:
        """A new gateway API key (``pbk_...``) with ``roles``, as the local operator issues it."""
        spec = KeySpec.of(roles, subject=subject, groups=groups, accounts=accounts)
        return await issue_direct(self.runtime("gateway").db, spec)

    def client(self, name: str = "gateway", *, key: str | None = None) -> httpx.AsyncClient:
        """An HTTP client to one embedded service (the gateway by default).

        Gateway calls carry ``key`` (none: the gateway answers 401); calls straight to another
        service are signed with this instance's internal secret as ``service:embedded``.
        """
        auth: httpx.Auth | None = None
        headers: dict[str, str] = {}
        if name == "gateway":
            if key is not None:
                headers["Authorization"] = f"Bearer {key}"
        elif key is not None:
            raise ValueError(f"API keys are for the gateway; calls to {name} are signed")
        else:
            auth = InternalAuth(self.runtime(name).tokens, caller=CALLER, audience=name)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(self.apps[name]),
            base_url=f"http://{name}",
            timeout=60,
            headers=headers,
            auth=auth,
        )

    async def __aenter__(self) -> EmbeddedPacBot:
        self.options.data_dir.mkdir(parents=True, exist_ok=True)
        await self.bus.start()
        self._stack.push_async_callback(self.bus.stop)
        for name in SERVICES:
            app = self.apps[name]
            await self._stack.enter_async_context(app.router.lifespan_context(app))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until every outbox is empty and every consumer has caught up."""
        async with asyncio.timeout(timeout):
            quiet = 0
            while quiet < 2:
                sent = 0
                for name in SERVICES:
                    sent += await self.runtime(name).relay.relay_once()
                await self.bus.drain(timeout)
                quiet = quiet + 1 if sent == 0 else 0


_FACTORIES: dict[str, tuple[Any, type]] = {
    "inventory": (inventory_app, InventorySettings),
    "assessor": (assessor_app, AssessorSettings),
    "violations": (violations_app, ViolationsSettings),
    "exceptions": (exceptions_app, ExceptionsSettings),
    "autofix": (autofix_app, AutofixSettings),
    "gateway": (gateway_app, GatewaySettings),
}
