"""Who the cross-service scenarios act as: one gateway API key per identity, each its own client.

The scenarios never send identity headers: each call carries the key of whoever acts, so the
requester and the approver of an exception are two different keys (and two different people).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

TEAM = "team@x.example"  # the Owner tag of every bucket the scenarios create


@dataclass(frozen=True)
class Identity:
    """Whom a key acts as, with which roles and groups."""

    subject: str
    roles: tuple[str, ...]
    groups: tuple[str, ...] = ()


ADMIN = Identity("admin@x.example", ("admin",))
ALICE = Identity("alice@x.example", ("owner",), groups=(TEAM,))  # owns the team's buckets
BOB = Identity("bob@x.example", ("security",))  # decides exceptions
VIEWER = Identity("viewer@x.example", ("viewer",))


@dataclass(frozen=True)
class Actors:
    """One authenticated gateway client per identity."""

    admin: httpx.AsyncClient
    """Sets up, scans, reads and changes policies."""
    requester: httpx.AsyncClient
    """Alice, an owner: asks for exceptions on her team's assets."""
    approver: httpx.AsyncClient
    """Bob, security: approves and revokes them."""


IssueKey = Callable[[Identity], Awaitable[str]]
ClientFor = Callable[[str], httpx.AsyncClient]


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for an API key."""
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def actors(issue: IssueKey, client_for: ClientFor) -> AsyncIterator[Actors]:
    """Keys for the admin, Alice and Bob, and a gateway client for each."""
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(client_for(await issue(who)))
            for who in (ADMIN, ALICE, BOB)
        ]
        yield Actors(*clients)
