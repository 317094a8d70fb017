"""The acting user and roles of a request, read from the headers the gateway passes through.

In production an authenticating proxy sets ``X-PacBot-User`` and ``X-PacBot-Roles`` in front of
the gateway (see ``pacbot.common.identity``); this service trusts them and checks roles itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from pacbot.common.identity import ROLES_HEADER, USER_HEADER, parse_roles
from pacbot.common.web import DomainError


class Unauthenticated(DomainError):
    """No acting user on a request that changes an exception."""

    status_code = 401


class Forbidden(DomainError):
    """The acting user may not do this."""

    status_code = 403


@dataclass(frozen=True)
class Actor:
    """Who acts, and with which roles."""

    user: str
    roles: frozenset[str]

    def has_role(self, role: str) -> bool:
        """True when the actor holds ``role`` (case-insensitive)."""
        return role.strip().lower() in self.roles


def current_actor(request: Request) -> Actor:
    """The user named by ``X-PacBot-User``; 401 when it is missing or blank."""
    user = request.headers.get(USER_HEADER, "").strip()
    if not user:
        raise Unauthenticated(
            f"this call needs an acting user: the {USER_HEADER} header is missing",
            field=USER_HEADER,
        )
    return Actor(user=user, roles=parse_roles(request.headers.get(ROLES_HEADER)))


CurrentActor = Annotated[Actor, Depends(current_actor)]
