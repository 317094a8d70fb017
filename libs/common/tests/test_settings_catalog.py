"""The settings catalog: names derived from the models, and the groups a process needs."""

from __future__ import annotations

import pytest

from pacbot.common.settings import InfraSettings
from pacbot.common.settings_catalog import (
    SERVICE_SETTINGS,
    env_names,
    missing_env,
    required_env,
    settings_class,
)


@pytest.mark.parametrize("name", sorted(SERVICE_SETTINGS))
def test_every_service_reads_its_own_prefix_and_the_shared_names(name: str) -> None:
    cls = settings_class(name)
    names = env_names(cls)
    prefix = f"PACBOT_{name.upper()}_"
    assert f"{prefix}DATABASE_URL" in names
    assert f"{prefix}KAFKA_SASL_USERNAME" in names
    assert {"PACBOT_POSTGRES_URL", "PACBOT_EMBEDDED", "PACBOT_KAFKA_SASL_PASSWORD"} <= names
    assert not any(n.endswith("_INFRA") for n in names)
    assert all(n.startswith(prefix) or n.startswith("PACBOT_") for n in names)
    for group in required_env(cls):
        assert group <= names, group


def test_names_follow_the_fields() -> None:
    autofix = settings_class("autofix")
    assert "PACBOT_AUTOFIX_DRY_RUN" in env_names(autofix)
    assert "PACBOT_AUTOFIX_SMTP_HOST" in env_names(autofix)  # from NotifySettings
    assert "PACBOT_INVENTORY_DRY_RUN" not in env_names(settings_class("inventory"))
    shared = {f"PACBOT_{f.upper()}" for f in InfraSettings.model_fields}
    assert shared <= env_names(autofix)


def test_only_search_users_need_opensearch() -> None:
    search = frozenset({"PACBOT_OPENSEARCH_URL", "PACBOT_INVENTORY_OPENSEARCH_URL"})
    assert search in required_env(settings_class("inventory"))
    assert required_env(settings_class("assessor")) == [
        frozenset({"PACBOT_POSTGRES_URL", "PACBOT_ASSESSOR_DATABASE_URL"}),
        frozenset({"PACBOT_KAFKA_BOOTSTRAP_SERVERS", "PACBOT_ASSESSOR_KAFKA_BOOTSTRAP_SERVERS"}),
        frozenset({"PACBOT_INTERNAL_SECRET", "PACBOT_ASSESSOR_INTERNAL_SECRET"}),
    ]


def test_missing_groups_are_read_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PACBOT_POSTGRES_URL", "PACBOT_KAFKA_BOOTSTRAP_SERVERS", "PACBOT_INTERNAL_SECRET"):
        monkeypatch.delenv(var, raising=False)
    cls = settings_class("assessor")
    assert missing_env(cls()) == required_env(cls)
    monkeypatch.setenv("PACBOT_ASSESSOR_DATABASE_URL", "postgresql+asyncpg://db/pacbot")
    monkeypatch.setenv("PACBOT_INTERNAL_SECRET", "x" * 40)
    assert missing_env(cls()) == [
        frozenset({"PACBOT_KAFKA_BOOTSTRAP_SERVERS", "PACBOT_ASSESSOR_KAFKA_BOOTSTRAP_SERVERS"})
    ]
    assert missing_env(cls(), kinds=("database",)) == []


def test_an_unknown_service_is_named() -> None:
    with pytest.raises(KeyError, match="unknown service 'nope'"):
        settings_class("nope")
