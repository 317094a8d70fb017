"""Kafka principals: settings resolve per service, passwords stay hidden, ACLs follow the
contract (each topic written by one service only)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from pacbot.common.bus import KafkaSecurity
from pacbot.common.bus.admin import (
    Acl,
    Operation,
    PatternType,
    ResourceType,
    contract_topics,
    service_acls,
)
from pacbot.common.events import TOPIC_CONSUMERS, TOPIC_PRODUCERS, TOPICS
from pacbot.common.settings import InfraSettings, ServiceSettings

PASSWORD = "s3cret-never-shown"


def test_a_service_principal_overrides_the_shared_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACBOT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("PACBOT_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("PACBOT_KAFKA_SASL_USERNAME", "shared")
    monkeypatch.setenv("PACBOT_KAFKA_SASL_PASSWORD", "shared-password")
    monkeypatch.setenv("PACBOT_SERVICE_KAFKA_SASL_USERNAME", "pacbot-service")
    monkeypatch.setenv("PACBOT_SERVICE_KAFKA_SASL_PASSWORD", PASSWORD)
    security = ServiceSettings().resolved_kafka_security()
    assert (security.protocol, security.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert security.username == "pacbot-service"
    kwargs = security.client_kwargs()
    assert kwargs["sasl_plain_password"] == PASSWORD
    assert kwargs["ssl_context"] is not None
    assert PASSWORD not in repr(security)
    assert PASSWORD not in repr(ServiceSettings())
    assert InfraSettings().kafka_security().username == "shared"


def test_plaintext_needs_nothing_and_sasl_needs_a_principal() -> None:
    assert KafkaSecurity().client_kwargs() == {"security_protocol": "PLAINTEXT"}
    with pytest.raises(ValueError, match="PACBOT_KAFKA_SASL_USERNAME") as missing:
        KafkaSecurity("SASL_PLAINTEXT", "PLAIN", "user", None)
    assert PASSWORD not in str(missing.value)
    plain = KafkaSecurity("SASL_PLAINTEXT", "PLAIN", "user", SecretStr(PASSWORD))
    assert "ssl_context" not in plain.client_kwargs()


def test_each_topic_is_written_by_its_producer_only() -> None:
    services = {*TOPIC_PRODUCERS.values(), *(s for c in TOPIC_CONSUMERS.values() for s in c)}
    assert set(TOPIC_PRODUCERS) == set(TOPICS) == set(TOPIC_CONSUMERS)
    for service in services:
        writes = {
            a.resource_name
            for a in service_acls(service)
            if a.operation == Operation.WRITE and not a.resource_name.endswith(".dlq")
        }
        assert writes == {t for t, p in TOPIC_PRODUCERS.items() if p == service}


def test_inventory_may_dead_letter_change_messages() -> None:
    who = "User:pacbot-inventory"
    acls = set(service_acls("inventory"))
    assert Acl(who, ResourceType.TOPIC, "pacbot.changes.dlq", Operation.WRITE) in acls
    assert "pacbot.changes.dlq" in contract_topics()
    for service in ("assessor", "violations", "exceptions", "autofix", "gateway"):
        assert all(a.resource_name != "pacbot.changes.dlq" for a in service_acls(service))


def test_assessor_acls() -> None:
    who = "User:pacbot-assessor"
    topic, group = ResourceType.TOPIC, ResourceType.GROUP
    assert set(service_acls("assessor")) == {
        Acl(who, topic, "pacbot.evaluations.v1", Operation.WRITE),
        Acl(who, topic, "pacbot.evaluations.v1", Operation.DESCRIBE),
        Acl(who, topic, "pacbot.policies.v1", Operation.WRITE),
        Acl(who, topic, "pacbot.policies.v1", Operation.DESCRIBE),
        Acl(who, topic, "pacbot.assets.v1", Operation.READ),
        Acl(who, topic, "pacbot.assets.v1", Operation.DESCRIBE),
        Acl(who, topic, "pacbot.assets.v1.dlq", Operation.WRITE),
        Acl(who, topic, "pacbot.assets.v1.dlq", Operation.DESCRIBE),
        Acl(who, group, "assessor", Operation.READ, PatternType.PREFIXED),
    }
    assert service_acls("gateway") == []
