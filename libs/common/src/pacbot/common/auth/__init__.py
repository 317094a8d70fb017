"""Who is calling, proven: the principal, the internal token the gateway mints, and the verifier.

The gateway authenticates people and automation (API keys, OIDC, sessions) and, for every call it
forwards, mints a short-lived token signed with the internal secret: subject, roles, groups and
scope, with the target service as audience. Services never authenticate anyone; they verify that
token (``install_service_auth``) and read the caller from it (``CurrentPrincipal``,
``require``). Identity headers from outside are never trusted.
"""

from pacbot.common.auth._principal import ROLES, Principal, service_principal
from pacbot.common.auth._token import (
    InternalAuth,
    InternalTokens,
    TokenError,
)
from pacbot.common.auth._verify import (
    OPEN_PATHS,
    CurrentPrincipal,
    install_service_auth,
    principal_of,
    require,
)

__all__ = [
    "OPEN_PATHS",
    "ROLES",
    "CurrentPrincipal",
    "InternalAuth",
    "InternalTokens",
    "Principal",
    "TokenError",
    "install_service_auth",
    "principal_of",
    "require",
    "service_principal",
]
