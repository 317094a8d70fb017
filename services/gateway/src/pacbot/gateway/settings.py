"""Settings of the gateway (env prefix ``PACBOT_GATEWAY_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """The gateway needs only the common settings; peers come from ``service_urls``."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = DEFAULT_PORTS["gateway"]
