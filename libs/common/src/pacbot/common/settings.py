"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pacbot.common.bus._security import KafkaSecurity

PostgresSslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class InfraSettings(BaseSettings):
    """Where the shared infrastructure lives and how to reach it safely (env prefix ``PACBOT_``)."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_", extra="ignore")

    embedded: bool = Field(
        default=False,
        description="Run without PostgreSQL, Kafka and OpenSearch: a SQLite file per service, an "
        "in-memory bus, search from the database. Never a fallback: a service process without "
        "it refuses to start when a required setting is missing",
    )
    postgres_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the shared PostgreSQL (postgresql+asyncpg://)"
    )
    postgres_password: SecretStr | None = Field(
        default=None,
        description="Replaces the password in the database URL (the URL in a ConfigMap, the "
        "password in a Secret)",
    )
    postgres_sslmode: PostgresSslMode | None = Field(
        default=None,
        description="libpq-style TLS mode: disable|allow|prefer|require|verify-ca|"
        "verify-full; unset: asyncpg's default (prefer)",
    )
    postgres_sslrootcert: str | None = Field(
        default=None, description="CA bundle (PEM file) that verifies the server's certificate"
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None, description="Kafka bootstrap servers, comma-separated host:port"
    )
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        default="PLAINTEXT", description="PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL"
    )
    kafka_sasl_mechanism: KafkaSaslMechanism | None = Field(
        default=None, description="PLAIN|SCRAM-SHA-256|SCRAM-SHA-512 (SASL_* protocols)"
    )
    kafka_sasl_username: str | None = Field(default=None, description="The Kafka principal")
    kafka_sasl_password: SecretStr | None = Field(default=None, description="Its password")
    kafka_ssl_cafile: str | None = Field(
        default=None, description="CA bundle (PEM file) that verifies the brokers (SSL protocols)"
    )
    opensearch_url: str | None = Field(
        default=None, description="OpenSearch URL, e.g. https://search:9200"
    )
    opensearch_username: str | None = Field(default=None, description="OpenSearch basic-auth user")
    opensearch_password: SecretStr | None = Field(default=None, description="Its password")
    opensearch_ca_file: str | None = Field(
        default=None, description="CA bundle (PEM file) that verifies OpenSearch over HTTPS"
    )
    opensearch_verify_certs: bool = Field(
        default=True, description="Verify OpenSearch's certificate (HTTPS)"
    )
    data_dir: str = Field(
        default=".pacbot/data", description="Where embedded mode keeps its SQLite files"
    )
    service_urls: dict[str, str] = Field(
        default_factory=dict, description='Base URL per service (JSON), e.g. {"violations": ...}'
    )
    internal_secret: SecretStr | None = Field(
        default=None,
        description="The secret that signs internal tokens (PACBOT_INTERNAL_SECRET, 32+ bytes)",
    )

    def kafka_security(self, **overrides: Any) -> KafkaSecurity:
        """The shared Kafka principal and TLS settings, with a service's non-empty overrides."""
        chosen = {k: v for k, v in overrides.items() if v}
        return KafkaSecurity(
            protocol=chosen.get("protocol", self.kafka_security_protocol),
            sasl_mechanism=chosen.get("sasl_mechanism", self.kafka_sasl_mechanism),
            username=chosen.get("username", self.kafka_sasl_username),
            password=chosen.get("password", self.kafka_sasl_password),
            cafile=chosen.get("cafile", self.kafka_ssl_cafile),
        )


class ServiceSettings(BaseSettings):
    """Settings every service has; subclasses set ``env_prefix`` (e.g. ``PACBOT_INVENTORY_``)."""

    model_config = SettingsConfigDict(env_prefix="PACBOT_SERVICE_", extra="ignore")
    needs_search: ClassVar[bool] = False  # a process of this service needs OpenSearch

    service_name: str = "service"
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: shared PostgreSQL (own schema) or a SQLite file",
    )
    bus: Literal["memory", "kafka"] | None = None
    kafka_bootstrap_servers: str | None = Field(
        default=None, description="Overrides PACBOT_KAFKA_BOOTSTRAP_SERVERS for this service"
    )
    kafka_security_protocol: KafkaSecurityProtocol | None = Field(
        default=None, description="Overrides PACBOT_KAFKA_SECURITY_PROTOCOL for this service"
    )
    kafka_sasl_mechanism: KafkaSaslMechanism | None = Field(
        default=None, description="Overrides PACBOT_KAFKA_SASL_MECHANISM for this service"
    )
    kafka_sasl_username: str | None = Field(
        default=None, description="This service's own Kafka principal (e.g. pacbot-inventory)"
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, description="The password of this service's own Kafka principal"
    )
    kafka_ssl_cafile: str | None = Field(
        default=None, description="Overrides PACBOT_KAFKA_SSL_CAFILE for this service"
    )
    kafka_partitions: int = 3
    search: Literal["database", "opensearch"] | None = None
    opensearch_url: str | None = None
    aws_endpoint_url: str | None = Field(default=None, description="Override for every AWS API")
    aws_region: str = "us-east-1"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    run_migrations: bool = True
    consumer_max_attempts: int = 3
    outbox_poll_seconds: float = 0.2
    db_pool_size: int = Field(
        default=5, ge=1, le=200, description="PostgreSQL connections kept open per process"
    )
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        le=200,
        description="Extra PostgreSQL connections a process may open under load, beyond the pool",
    )
    peer_timeout_seconds: float = Field(
        default=300,
        gt=0,
        description="How long a call to a peer service may take (scans run inline)",
    )
    service_urls: dict[str, str] = Field(
        default_factory=dict, description='Base URL per peer service, e.g. {"violations": ...}'
    )
    internal_secret: SecretStr | None = Field(
        default=None, description="Overrides PACBOT_INTERNAL_SECRET for this service"
    )
    internal_token_ttl_seconds: float = Field(default=60, gt=0, le=900)
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Larger request bodies are refused with 413"
    )
    infra: InfraSettings = Field(default_factory=InfraSettings)

    def resolved_internal_secret(self) -> str:
        """The internal token secret; a service without one refuses to start, saying why."""
        secret = self.internal_secret or self.infra.internal_secret
        if secret is None:
            raise ValueError(
                f"{self.service_name}: PACBOT_INTERNAL_SECRET is not set; every service needs the "
                "same secret (32+ bytes) to sign and verify internal calls. Generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return secret.get_secret_value()

    def resolved_database_url(self) -> str:
        """The explicit URL, else the shared PostgreSQL, else a SQLite file per service."""
        if self.database_url:
            return self.database_url
        if self.infra.postgres_url:
            return self.infra.postgres_url
        return f"sqlite+aiosqlite:///{self.infra.data_dir}/{self.service_name}.db"

    def resolved_bus(self) -> Literal["memory", "kafka"]:
        """Kafka when a bootstrap address is known, unless the bus is forced."""
        if self.bus:
            return self.bus
        return "kafka" if self.resolved_kafka() else "memory"

    def resolved_kafka(self) -> str | None:
        """The service's own bootstrap servers, else the shared ones."""
        return self.kafka_bootstrap_servers or self.infra.kafka_bootstrap_servers

    def resolved_kafka_security(self) -> KafkaSecurity:
        """This service's Kafka principal and TLS settings: its own, else the shared ones."""
        return self.infra.kafka_security(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password,
            cafile=self.kafka_ssl_cafile,
        )

    def resolved_search(self) -> Literal["database", "opensearch"]:
        """OpenSearch when an address is known, unless the backend is forced."""
        if self.search:
            return self.search
        return "opensearch" if self.resolved_opensearch() else "database"

    def resolved_opensearch(self) -> str | None:
        """The service's own OpenSearch URL, else the shared one."""
        return self.opensearch_url or self.infra.opensearch_url

    @property
    def db_schema(self) -> str:
        """PostgreSQL schema that holds this service's tables."""
        return self.service_name
