"""The acting user and roles of a request, from the verified internal token (never a header).

The gateway authenticates the caller and signs who it is; ``CurrentActor`` reads that principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from pacbot.common.auth import CurrentPrincipal, Principal
from pacbot.common.web import DomainError


class Forbidden(DomainError):
    """The acting user may not do this."""

    status_code = 403


@dataclass(frozen=True)
class Actor:
    """Who acts, and with which roles (and groups, for the owner role)."""

    user: str
    roles: frozenset[str]
    groups: frozenset[str] = frozenset()
    accounts: frozenset[str] | None = None

    def has_role(self, role: str) -> bool:
        """True when the actor holds ``role`` (case-insensitive); admin holds every role."""
        return role.strip().lower() in self.roles or "admin" in self.roles

    @property
    def owner_names(self) -> frozenset[str]:
        """The owner-tag values that make an asset this actor's: the user and their groups."""
        return frozenset({self.user, *self.groups})

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor a verified principal stands for."""
        return cls(
            user=principal.subject,
            roles=principal.roles,
            groups=principal.groups,
            accounts=principal.accounts,
        )


def current_actor(principal: CurrentPrincipal) -> Actor:
    """The authenticated caller of this request."""
    return Actor.of(principal)


CurrentActor = Annotated[Actor, Depends(current_actor)]
