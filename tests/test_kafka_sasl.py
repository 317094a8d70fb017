"""Kafka principals on the dev broker's SASL/SCRAM listener: ``pacbot kafka setup`` makes each
service's user and ACLs; a service writes and reads its own topics, and nothing else."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from pydantic import SecretStr

from pacbot.cli.devstack import StackInfo
from pacbot.cli.kafka_cmd import SetupOptions, kafka_services, principal_of, setup
from pacbot.common.bus import KafkaBus, KafkaSecurity
from pacbot.common.bus.admin import KafkaAdmin, service_acls
from pacbot.common.events import ASSETS_TOPIC, EVALUATIONS_TOPIC, EXCEPTIONS_TOPIC
from pacbot.common.settings import InfraSettings
from pacbot.common.settings_catalog import settings_class
from pacbot.common.testing import sample_event

pytestmark = pytest.mark.real
SCRAM = "SCRAM-SHA-512"


@dataclass
class Principals:
    """The test's own users (pacbot-<service>-<unique>) with their passwords."""

    users: dict[str, tuple[str, str]]
    sasl_bootstrap: str

    def security(self, service: str, password: str | None = None) -> KafkaSecurity:
        """How ``service`` connects to the SASL listener, as its settings resolve it."""
        cls = settings_class(service)
        settings = cls(
            kafka_bootstrap_servers=self.sasl_bootstrap,
            kafka_security_protocol="SASL_PLAINTEXT",
            kafka_sasl_mechanism=SCRAM,
        )
        security = settings.resolved_kafka_security()
        if password is None:
            return security
        return KafkaSecurity(security.protocol, SCRAM, security.username, SecretStr(password))

    async def started_bus(self, service: str, unique: str) -> KafkaBus:
        """A started KafkaBus on the SASL listener, as ``service``'s principal."""
        bus = KafkaBus(
            self.sasl_bootstrap, client_id=f"{service}-{unique}", security=self.security(service)
        )
        await asyncio.wait_for(bus.start(), 60)
        return bus


@pytest.fixture
async def principals(
    stack: StackInfo, unique: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Principals]:
    """Run ``pacbot kafka setup --acls --scram-users-from-env`` for users unique to this test,
    and delete their ACLs and credentials afterwards."""
    users = {}
    for service in kafka_services():
        user, password = f"pacbot-{service}-{unique}", secrets.token_urlsafe(24)
        monkeypatch.setenv(f"PACBOT_{service.upper()}_KAFKA_SASL_USERNAME", user)
        monkeypatch.setenv(f"PACBOT_{service.upper()}_KAFKA_SASL_PASSWORD", password)
        users[service] = (user, password)
    infra = InfraSettings(kafka_bootstrap_servers=stack.kafka_bootstrap, kafka_sasl_mechanism=SCRAM)
    options = SetupOptions(partitions=3, replication_factor=1, acls=True, scram_users=True)
    report = await asyncio.wait_for(setup(options, infra), 120)
    assert any(f"User:pacbot-assessor-{unique}: 9 ACLs" == line for line in report), report
    assert not any(password in "\n".join(report) for _, password in users.values())
    try:
        yield Principals(users, stack.kafka_sasl_bootstrap)
    finally:
        async with KafkaAdmin(stack.kafka_bootstrap) as admin:
            for service, (user, _) in users.items():
                await admin.delete_acls(service_acls(service, principal=f"User:{user}"))
                await admin.delete_scram_user(user, SCRAM)


async def test_setup_names_each_service_principal(principals: Principals, unique: str) -> None:
    assert principal_of("violations") == (
        f"User:pacbot-violations-{unique}",
        principals.users["violations"][1],
    )


async def test_a_service_writes_and_reads_its_own_topics(
    principals: Principals, stack: StackInfo, unique: str
) -> None:
    bus = await principals.started_bus("assessor", unique)
    try:
        await asyncio.wait_for(bus.publish(EVALUATIONS_TOPIC, sample_event(), key="a"), 60)
        assert await bus.ping()
    finally:
        await bus.stop()

    # an asset event (written by inventory's side, here the super user) read with assessor's
    # principal, and its offset committed in a consumer group of assessor's own
    plain = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await plain.start()
    try:
        sent = await plain.send_and_wait(ASSETS_TOPIC, f"asset-{unique}".encode(), key=b"k")
    finally:
        await plain.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=principals.sasl_bootstrap,
        group_id=f"assessor-{unique}",
        enable_auto_commit=False,
        request_timeout_ms=30000,
        **principals.security("assessor").client_kwargs(),
    )
    await asyncio.wait_for(consumer.start(), 60)
    try:
        partition = TopicPartition(ASSETS_TOPIC, sent.partition)
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(), 60)
        assert record.value == f"asset-{unique}".encode()
        await asyncio.wait_for(consumer.commit({partition: sent.offset + 1}), 60)
    finally:
        await consumer.stop()


async def test_a_service_is_refused_a_topic_that_is_not_its_own(
    principals: Principals, unique: str
) -> None:
    bus = await principals.started_bus("assessor", unique)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await asyncio.wait_for(bus.publish(EXCEPTIONS_TOPIC, sample_event(), key="a"), 60)
    finally:
        await bus.stop()


async def test_a_wrong_password_is_refused(
    principals: Principals, caplog: pytest.LogCaptureFixture
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=principals.sasl_bootstrap,
        request_timeout_ms=10000,
        **principals.security("assessor", password="not-the-password").client_kwargs(),
    )
    with pytest.raises(KafkaError) as refused:
        await asyncio.wait_for(producer.start(), 60)
    await producer.stop()
    # aiokafka reports "Unable to bootstrap" and logs the broker's reason
    assert "bootstrap" in str(refused.value)
    assert "SaslAuthenticationFailed" in caplog.text
    assert "invalid credentials" in caplog.text
