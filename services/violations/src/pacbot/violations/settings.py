"""Violations settings (env prefix ``PACBOT_VIOLATIONS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings


class ViolationsSettings(ServiceSettings):
    """The violations service has no settings beyond the shared ones yet."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_VIOLATIONS_", extra="ignore")

    service_name: str = "violations"
    port: int = DEFAULT_PORTS["violations"]
