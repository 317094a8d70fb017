"""Every environment variable the chart gives a process is a real setting of that process, the
values parse as its settings model parses them, and every setting it cannot start without is set.

The names and the required groups come from ``pacbot.common.settings_catalog``, which derives
them from the settings models, so a renamed setting breaks this test rather than a deployment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pacbot.common.settings_catalog import (
    catalog,
    env_names,
    missing_env,
    required_env,
    settings_class,
)
from tests.deploy.helm_rig import CI_VALUES, RELEASE, SERVICES, named, rendered

VALUES_FILES = [None, CI_VALUES / "production-values.yaml", CI_VALUES / "minimal-values.yaml"]
IDS = ["defaults", "production", "minimal"]
SECRET_STAND_IN = "s" * 48  # what a secretKeyRef resolves to in a pod (32+ bytes, as required)
Manifests = tuple[dict[str, Any], ...]


def container_env(manifests: Manifests, container: dict[str, Any]) -> dict[str, str | None]:
    """The environment the container starts with: ConfigMaps it loads whole, then its own
    entries (a value, or None for one read from a Secret)."""
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        ref = source["configMapRef"]  # the chart loads no Secret whole: its keys are unknown
        env.update(named(manifests, "ConfigMap", ref["name"])["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        else:
            assert set(entry["valueFrom"]) == {"secretKeyRef"}, entry
            env[entry["name"]] = None
    return env


def service_container(manifests: Manifests, service: str) -> dict[str, Any]:
    deployment = named(manifests, "Deployment", f"{RELEASE}-{service}")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def settings_from(
    service: str, env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Any:
    """The service's settings as its process would build them from this environment. Mounted
    secret files (``*_FILE``) are stood in for by files holding a stand-in secret."""
    for name in [n for n in os.environ if n.startswith("PACBOT_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name.endswith("_FILE") and value:
            stand_in = tmp_path / name
            stand_in.write_text(SECRET_STAND_IN, encoding="utf-8")
            value = str(stand_in)
        monkeypatch.setenv(name, SECRET_STAND_IN if value is None else value)
    return settings_class(service)()


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
@pytest.mark.parametrize("service", SERVICES)
def test_service_env_is_its_settings(
    values_file: Path | None,
    service: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    manifests = rendered(values_file)
    env = container_env(manifests, service_container(manifests, service))
    cls = settings_class(service)
    unknown = sorted(set(env) - env_names(cls))
    assert not unknown, f"{service}: not settings of {cls.__name__}: {unknown}"
    assert "PACBOT_EMBEDDED" not in env  # a cluster never runs the embedded mode
    for group in required_env(cls):
        assert any(name in env and env[name] != "" for name in group), (
            f"{service}: none of {sorted(group)} is set"
        )
    settings = settings_from(service, env, monkeypatch, tmp_path)
    assert missing_env(settings) == []
    assert settings.host == "0.0.0.0"
    assert settings.run_migrations is False
    assert settings.resolved_bus() == "kafka"
    assert set(settings.service_urls) == set(SERVICES)


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_migration_env_is_each_services_database_settings(
    values_file: Path | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    manifests = rendered(values_file)
    job = named(manifests, "Job", f"{RELEASE}-migrate")
    for container in job["spec"]["template"]["spec"]["containers"]:
        service = container["command"][0].removeprefix("pacbot-")
        env = container_env(manifests, container)
        assert set(env) <= env_names(settings_class(service)), service
        settings = settings_from(service, env, monkeypatch, tmp_path)
        assert missing_env(settings, ("database",)) == [], service  # what `migrate` checks
        assert settings.resolved_database_url().startswith("postgresql+asyncpg://")


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_topic_job_env_is_shared_kafka_settings(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    job = named(manifests, "Job", f"{RELEASE}-kafka-setup")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = container_env(manifests, container)
    shared = {s.env for s in catalog(settings_class("gateway")) if s.shared}
    assert set(env) <= shared
    assert env["PACBOT_KAFKA_BOOTSTRAP_SERVERS"]
    assert all(name.startswith("PACBOT_KAFKA_") for name in env)
