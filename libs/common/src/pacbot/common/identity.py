"""Who is calling: the acting user and roles, as headers the gateway passes to the services.

In production an authenticating proxy in front of the gateway sets these headers (and strips any
a client sent); the gateway forwards them unchanged, and a service that needs to know who acts
reads them. Nothing below the proxy authenticates anyone.
"""

from __future__ import annotations

from collections.abc import Mapping

USER_HEADER = "X-PacBot-User"
ROLES_HEADER = "X-PacBot-Roles"
IDENTITY_HEADERS = (USER_HEADER, ROLES_HEADER)


def identity_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The identity headers present in ``headers`` (a case-insensitive mapping), to pass on."""
    return {name: headers[name] for name in IDENTITY_HEADERS if name in headers}


def parse_roles(value: str | None) -> frozenset[str]:
    """``"approver, Auditor"`` → ``{"approver", "auditor"}``; blanks are dropped."""
    if not value:
        return frozenset()
    return frozenset(role.strip().lower() for role in value.split(",") if role.strip())
