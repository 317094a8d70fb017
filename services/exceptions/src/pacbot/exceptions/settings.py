"""Settings of the exceptions service (env prefix ``PACBOT_EXCEPTIONS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pacbot.common.notify import NotifySettings
from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings


class ExceptionsSettings(ServiceSettings, NotifySettings):
    """How long an exception may last, who approves it, how often expiry is checked, and who
    is told (``PACBOT_EXCEPTIONS_SMTP_HOST``, ``..._WEBHOOK_URL``...: see NotifySettings)."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_EXCEPTIONS_", extra="ignore")

    service_name: str = "exceptions"
    port: int = DEFAULT_PORTS["exceptions"]
    max_days: int = Field(default=180, ge=1, description="Longest allowed exception lifetime")
    expiring_soon_days: float = Field(
        default=7,
        ge=0,
        description="Emit expiring_soon this many days before an active exception ends (0: never)",
    )
    approver_role: str = Field(
        default="security",
        min_length=1,
        description="The role that may approve or reject a request (admin always may)",
    )
    expiry_poll_seconds: float = Field(default=5, gt=0, description="Expiry loop interval")
    approvers_address: str | None = Field(
        default=None,
        description="Who is told of new requests (the security team); default_fallback_address "
        "when unset",
    )

    def approvers(self) -> str | None:
        """Where new requests are announced: the approvers' address, else the default fallback."""
        return (self.approvers_address or "").strip() or self.fallback_for(None)
