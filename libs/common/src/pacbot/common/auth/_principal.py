"""The authenticated caller: a subject with roles, groups and an optional scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The roles a person or key can hold, least to most powerful; "service" is a peer service.
ROLES = ("viewer", "owner", "security", "admin")
SERVICE_ROLE = "service"


def _names(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(v.strip() for v in values or () if isinstance(v, str) and v.strip())


@dataclass(frozen=True)
class Principal:
    """Who acts: ``subject`` (a user, a key's name, a service), with how it was proven.

    ``accounts`` / ``asset_groups`` of ``None`` mean unscoped; a set limits what it sees.
    ``credential`` names the key, token or session used (``key:<id>``, ``oidc:<jti>``...).
    """

    subject: str
    roles: frozenset[str]
    groups: frozenset[str] = frozenset()
    accounts: frozenset[str] | None = None
    asset_groups: frozenset[str] | None = None
    credential: str = ""

    def has_any(self, roles: Iterable[str]) -> bool:
        """True when the principal holds one of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_service(self) -> bool:
        """A peer PacBot service acting on its own behalf."""
        return SERVICE_ROLE in self.roles

    @property
    def scoped(self) -> bool:
        """True when this principal sees only some accounts or asset groups."""
        return self.accounts is not None or self.asset_groups is not None

    @property
    def owner_names(self) -> frozenset[str]:
        """The owner-tag values that make an asset this principal's: itself and its groups."""
        return frozenset({self.subject, *self.groups})

    def claims(self) -> dict[str, Any]:
        """The principal as token claims."""
        claims: dict[str, Any] = {
            "sub": self.subject,
            "roles": sorted(self.roles),
            "groups": sorted(self.groups),
            "cred": self.credential,
        }
        if self.accounts is not None:
            claims["accounts"] = sorted(self.accounts)
        if self.asset_groups is not None:
            claims["asset_groups"] = sorted(self.asset_groups)
        return claims

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        """The principal a verified token carries."""
        accounts = claims.get("accounts")
        asset_groups = claims.get("asset_groups")
        return cls(
            subject=str(claims["sub"]),
            roles=_names(claims.get("roles")),
            groups=_names(claims.get("groups")),
            accounts=None if accounts is None else _names(accounts),
            asset_groups=None if asset_groups is None else _names(asset_groups),
            credential=str(claims.get("cred", "")),
        )


def service_principal(name: str) -> Principal:
    """A PacBot service calling a peer on its own behalf."""
    return Principal(subject=f"service:{name}", roles=frozenset({SERVICE_ROLE}), credential=name)


def role_set(values: Iterable[str]) -> frozenset[str]:
    """Roles normalised to lower case; unknown names are an error, said plainly."""
    roles = frozenset(v.strip().lower() for v in values if v.strip())
    unknown = roles - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {list(ROLES)}")
    return roles
