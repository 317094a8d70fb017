"""How a Kafka client authenticates and encrypts: SASL (PLAIN or SCRAM) and TLS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr


@dataclass(frozen=True)
class KafkaSecurity:
    """The connection settings of one Kafka principal; the password only leaves in kwargs."""

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    cafile: str | None = None

    def __post_init__(self) -> None:
        if self.protocol.startswith("SASL_") and not (
            self.sasl_mechanism and self.username and self.password
        ):
            raise ValueError(
                f"Kafka security protocol {self.protocol} needs a SASL mechanism, user name and "
                "password (PACBOT_KAFKA_SASL_MECHANISM, PACBOT_KAFKA_SASL_USERNAME, "
                "PACBOT_KAFKA_SASL_PASSWORD, or the service's own PACBOT_<SERVICE>_KAFKA_SASL_*)"
            )

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer, admin and client classes."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.protocol in ("SSL", "SASL_SSL"):
            kwargs["ssl_context"] = create_ssl_context(cafile=self.cafile)
        if self.protocol.startswith("SASL_") and self.password is not None:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.username
            kwargs["sasl_plain_password"] = self.password.get_secret_value()
        return kwargs
