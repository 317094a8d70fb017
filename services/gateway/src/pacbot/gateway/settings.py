"""Settings of the gateway (env prefix ``PACBOT_GATEWAY_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class GatewaySettings(ServiceSettings):
    """How the gateway authenticates callers, limits them, and where its peers are."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = DEFAULT_PORTS["gateway"]
    auth_mode: Literal["authenticated", "local"] = Field(
        default="authenticated",
        description="local: every caller is a local admin; refused unless bound to loopback",
    )
    key_max_days: int = Field(default=365, ge=1, description="Longest API key lifetime")
    session_hours: float = Field(default=8, gt=0, le=24 * 7, description="Browser session life")
    cookie_secure: bool = Field(default=True, description="Send session cookies over HTTPS only")
    rate_limit_per_minute: int = Field(
        default=1200, ge=1, description="Calls per minute per authenticated key or subject"
    )
    oidc_issuer: str | None = Field(default=None, description="OIDC issuer; unset: no OIDC")
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = Field(default=None, description="Default: from discovery")
    oidc_roles_claim: str = "roles"
    oidc_groups_claim: str = "groups"
    oidc_subject_claim: str = "email"
    oidc_accounts_claim: str | None = None
    oidc_role_map: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Claim value -> PacBot roles, e.g. {"sec-team": ["security"]}',
    )
    oidc_leeway_seconds: float = Field(default=60, ge=0, le=600)

    def loopback_only(self) -> bool:
        """True when the gateway listens on the loopback interface only."""
        return self.host in LOOPBACK_HOSTS
