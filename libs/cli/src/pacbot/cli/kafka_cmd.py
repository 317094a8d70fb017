"""``pacbot kafka setup``: the event contract's topics, per-service ACLs and SCRAM users.

The Helm chart's topic Job and compose's topic step run exactly
``pacbot kafka setup --partitions N --replication-factor R --acls``. The admin connection comes
from the shared ``PACBOT_KAFKA_*`` settings (a principal the broker lets create topics and ACLs).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from pacbot.common.bus.admin import (
    KafkaAdmin,
    contract_topics,
    service_acls,
    service_principal,
)
from pacbot.common.events import TOPIC_CONSUMERS, TOPIC_PRODUCERS
from pacbot.common.settings import InfraSettings
from pacbot.common.settings_catalog import SERVICE_SETTINGS, settings_class


@dataclass(frozen=True)
class SetupOptions:
    """What ``pacbot kafka setup`` was asked to do."""

    partitions: int = 3
    replication_factor: int = 1
    acls: bool = False
    scram_users: bool = False


def kafka_services() -> list[str]:
    """The services that hold a Kafka principal (those that produce or consume a topic)."""
    users = set(TOPIC_PRODUCERS.values()) | {s for c in TOPIC_CONSUMERS.values() for s in c}
    return [name for name in SERVICE_SETTINGS if name in users]


def principal_of(service: str) -> tuple[str, str | None]:
    """A service's principal (its configured SASL user, else ``pacbot-<service>``) and the
    password it is configured with, if any (PACBOT_<SERVICE>_KAFKA_SASL_*)."""
    settings = settings_class(service)()
    user = settings.kafka_sasl_username
    password = settings.kafka_sasl_password
    principal = f"User:{user}" if user else service_principal(service)
    return principal, password.get_secret_value() if password else None


async def setup(options: SetupOptions, infra: InfraSettings | None = None) -> list[str]:
    """Create what is missing; lines that say what was done (never a password)."""
    infra = infra or InfraSettings()
    if not infra.kafka_bootstrap_servers:
        raise SystemExit("pacbot kafka setup: PACBOT_KAFKA_BOOTSTRAP_SERVERS is not set")
    report: list[str] = []
    async with KafkaAdmin(infra.kafka_bootstrap_servers, infra.kafka_security()) as admin:
        made = await admin.create_topics(
            contract_topics(),
            partitions=options.partitions,
            replication_factor=options.replication_factor,
        )
        report.append(f"topics created: {', '.join(made) or 'none (all exist)'}")
        for service in kafka_services() if options.acls or options.scram_users else []:
            principal, password = principal_of(service)
            if options.scram_users and password:
                mechanism = infra.kafka_sasl_mechanism or "SCRAM-SHA-512"
                if mechanism == "PLAIN":
                    mechanism = "SCRAM-SHA-512"
                await admin.upsert_scram_user(principal.removeprefix("User:"), password, mechanism)
                report.append(f"{principal}: SCRAM credential ({mechanism}) set")
            if options.acls:
                acls = service_acls(service, principal=principal)
                await admin.create_acls(acls)
                report.append(f"{principal}: {len(acls)} ACLs")
    return report


def run(options: SetupOptions) -> int:
    """Entry point of ``pacbot kafka setup``."""
    try:
        lines = asyncio.run(asyncio.wait_for(setup(options), timeout=300))
    except (OSError, RuntimeError, TimeoutError, ValueError) as exc:
        print(f"pacbot kafka setup failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0
