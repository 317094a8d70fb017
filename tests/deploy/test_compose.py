"""docker-compose.yml: valid Compose, real settings only, the one-shot steps first, no secrets.

The file is read as compose reads it: YAML merge keys resolved, then ``${VAR}`` interpolated from
``.env`` (here: ``.env.example`` with its empty secrets filled in). A name with no value is passed
through from ``.env`` when set there, and left unset otherwise.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pacbot.common.runtime import DEFAULT_PORTS
from pacbot.common.settings_catalog import (
    catalog,
    env_names,
    missing_env,
    required_env,
    settings_class,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
COMPOSE_SPEC_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"

SERVICES = tuple(DEFAULT_PORTS)
ONE_SHOT = ("migrate", "topics")
SERVERS = ("postgres", "kafka", "opensearch")
SIMULATED = ("moto", "mailpit")
# Not a setting: the image's HEALTHCHECK reads it (Dockerfile ENV), so each container probes its
# own service's port.
IMAGE_ENV = frozenset({"PACBOT_HEALTHCHECK_PORT"})
SECRETS = ("PACBOT_INTERNAL_SECRET", "PACBOT_POSTGRES_PASSWORD", "PACBOT_OPENSEARCH_PASSWORD")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY")

_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def dotenv(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines of an env file (single-quoted values are literal, as in compose)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def documented(path: Path) -> set[str]:
    """Names set in the file, or shown there commented out (``# NAME=...``)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", path.read_text(), re.MULTILINE))


def example_env() -> dict[str, str]:
    """``.env`` as a user makes it from the example: the secrets filled in."""
    env = dotenv(ENV_EXAMPLE)
    for name in SECRETS:
        env[name] = f"Filled-in-{name.lower()}-0123456789-abcdefghij!"
    return env


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``, ``$$``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg, value = match.group("op"), match.group("arg"), env.get(name)
        unset = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if unset else str(value)
        if op in (":?", "?"):
            if unset:
                raise ValueError(f"{name}: {arg}")
            return str(value)
        if op in (":+", "+"):
            return "" if unset else arg
        return "" if value is None else value

    return _VAR.sub(one, text)


def resolved(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {k: resolved(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [resolved(v, env) for v in node]
    return node


def referenced(node: Any) -> set[str]:
    """Every variable the file interpolates."""
    if isinstance(node, str):
        return {
            m.group("name") or m.group("bare") for m in _VAR.finditer(node) if m.group(0) != "$$"
        }
    if isinstance(node, dict):
        return set().union(*(referenced(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(referenced(v) for v in node))
    return set()


def container_env(service: str, env: dict[str, str]) -> dict[str, str]:
    """The environment the service's container gets from compose, given ``.env``."""
    out = {}
    for name, value in services()[service].get("environment", {}).items():
        if value is None:
            if env.get(name) is not None:
                out[name] = env[name]
        else:
            out[name] = interpolate(str(value), env)
    return out


def pacbot_names(service: str) -> set[str]:
    return {n for n in services()[service].get("environment", {}) if not n.startswith("AWS_")}


# --- The Compose Specification ---------------------------------------------------------------


def test_the_vendored_schema_is_the_recorded_one() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == COMPOSE_SPEC_SHA256


def _errors(document: Any) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_file_validates_against_the_compose_specification() -> None:
    assert _errors(compose()) == []
    assert _errors(resolved(compose(), example_env())) == []


def test_the_schema_rejects_what_compose_would() -> None:
    broken = json.loads(json.dumps(compose()))
    broken["services"]["gateway"]["read_only"] = "yes"
    broken["services"]["gateway"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["kafka"]["helthcheck"] = {}
    errors = _errors(broken)
    assert len(errors) == 3, errors


# --- Every name is a real setting of the service that gets it --------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_pacbot_variable_is_a_setting_of_that_service(service: str) -> None:
    unknown = pacbot_names(service) - env_names(settings_class(service)) - IMAGE_ENV
    assert not unknown, f"{service}: not settings of {settings_class(service).__name__}: {unknown}"


@pytest.mark.parametrize("step", ONE_SHOT)
def test_one_shot_steps_set_only_shared_settings(step: str) -> None:
    shared = set.intersection(*(set(env_names(settings_class(s))) for s in SERVICES))
    unknown = pacbot_names(step) - shared
    assert not unknown, f"{step} runs every service's code; not shared settings: {unknown}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_starts_with_its_required_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = container_env(service, example_env())
    for group in required_env(settings_class(service)):
        assert any(env.get(name) for name in group), f"{service}: none of {sorted(group)} set"
    settings = _load(service, env, monkeypatch)
    assert missing_env(settings) == []
    assert not settings.infra.embedded
    assert settings.host == "0.0.0.0"
    assert settings.port == DEFAULT_PORTS[service] == int(env["PACBOT_HEALTHCHECK_PORT"])
    assert settings.run_migrations is False, "the migrate step migrates, not each replica"
    assert settings.kafka_partitions == int(example_env()["PACBOT_KAFKA_PARTITIONS"])


@pytest.mark.parametrize("step", ONE_SHOT)
def test_one_shot_steps_have_what_every_service_requires(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = container_env(step, example_env())
    for service in SERVICES:
        missing = missing_env(_load(service, env, monkeypatch), ("database", "kafka"))
        assert missing == [], f"{step} as {service}: {missing}"


def _load(service: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    import os

    for name in list(os.environ):
        if name.startswith(("PACBOT_", "AWS_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_class(service)()


def test_services_reach_each_other_on_their_ports() -> None:
    env = container_env("gateway", example_env())
    urls = json.loads(env["PACBOT_SERVICE_URLS"])
    assert urls == {s: f"http://{s}:{p}" for s, p in DEFAULT_PORTS.items() if s != "gateway"}


def test_no_service_runs_embedded() -> None:
    for name, service in services().items():
        assert "PACBOT_EMBEDDED" not in service.get("environment", {}), name


# --- Structure ---------------------------------------------------------------------------------


def test_only_the_gateway_publishes_a_port() -> None:
    published = {n for n, s in services().items() if s.get("ports") and not s.get("profiles")}
    assert published == {"gateway"}
    for name in SIMULATED:  # dev tools, only with their profile, only on this host
        for port in services()[name].get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)
    gateway = services()["gateway"]["ports"]
    assert [interpolate(p, example_env()) for p in gateway] == ["127.0.0.1:8100:8100"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_waits_for_the_setup_steps_and_healthy_servers(service: str) -> None:
    needs = services()[service]["depends_on"]
    for step in ONE_SHOT:
        assert needs[step] == {"condition": "service_completed_successfully"}, (service, step)
    for server in ("postgres", "kafka"):
        assert needs[server]["condition"] == "service_healthy", (service, server)
    if settings_class(service).needs_search:
        assert needs["opensearch"]["condition"] == "service_healthy"
    for name, need in needs.items():
        if services()[name].get("profiles"):
            assert need == {"condition": "service_healthy", "required": False}, (service, name)


def test_servers_have_health_checks_and_pinned_images() -> None:
    for name in (*SERVERS, *SIMULATED):
        service = services()[name]
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        image, _, tag = service["image"].rpartition(":")
        assert image, name
        assert tag not in ("", "latest"), (name, service["image"])
    assert services()["kafka"]["image"].startswith("apache/kafka:")
    assert services()["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services()["postgres"]["image"] == "postgres:15"
    assert services()["opensearch"]["image"].startswith("opensearchproject/opensearch:2.")
    assert services()["moto"]["profiles"] == ["aws-sim"]


def test_the_migrate_step_migrates_every_service_once() -> None:
    migrate = services()["migrate"]
    shell, flags, script = migrate["command"]
    assert (shell, flags) == ("sh", "-ec")
    steps = [s.strip() for s in script.split(";")]
    assert steps == [f"pacbot-{s} migrate" for s in SERVICES_IN_ORDER]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


SERVICES_IN_ORDER = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")


def test_the_topics_step_runs_kafka_setup() -> None:
    topics = services()["topics"]
    assert topics["command"] == (
        "pacbot kafka setup --partitions ${PACBOT_KAFKA_PARTITIONS:-3} --replication-factor 1"
    )
    assert topics["restart"] == "no"
    assert topics["depends_on"] == {"kafka": {"condition": "service_healthy"}}


def test_the_topics_command_is_one_pacbot_kafka_setup_takes() -> None:
    from pacbot.cli.main import _parser

    argv = shlex.split(interpolate(services()["topics"]["command"], example_env()))
    assert argv[0] == "pacbot"
    args = _parser().parse_args(argv[1:])
    assert (args.command, args.kafka_command) == ("kafka", "setup")
    assert (args.partitions, args.replication_factor) == (3, 1)
    assert not args.acls, "plaintext Kafka in compose has no authorizer to hold ACLs"


@pytest.mark.parametrize("name", SERVICES + ONE_SHOT)
def test_pacbot_containers_are_locked_down(name: str) -> None:
    service = services()[name]
    assert service["user"] == "10001:10001"
    assert service["read_only"] is True
    assert service["tmpfs"] == ["/tmp"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["image"] == "${PACBOT_COMPOSE_IMAGE:-pacbot:dev}"
    assert service["build"] == "."


# --- Secrets --------------------------------------------------------------------------------------


def _secret_settings() -> set[str]:
    return {s.env for svc in SERVICES for s in catalog(settings_class(svc)) if s.secret}


def test_no_secret_is_written_in_the_file() -> None:
    secret_names = _secret_settings()
    for name, service in services().items():
        for var, value in service.get("environment", {}).items():
            if var in secret_names or SECRET_NAME.search(var):
                assert value is None or re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", value), (
                    f"{name}.{var} must come from .env (${{VAR:?...}} or pass-through): {value!r}"
                )
    for var in SECRETS:
        assert dotenv(ENV_EXAMPLE)[var] == "", f".env.example must not carry a value for {var}"
        with pytest.raises(ValueError, match=var):
            resolved(compose(), {**example_env(), var: ""})


def test_env_example_documents_every_variable_and_nothing_else() -> None:
    passed_through = {
        var
        for service in services().values()
        for var, value in service.get("environment", {}).items()
        if value is None
    }
    wanted = referenced(compose()) | passed_through
    assert wanted - documented(ENV_EXAMPLE) == set()
    assert set(dotenv(ENV_EXAMPLE)) - wanted == set(), "set in .env.example, read by nothing"


def test_the_env_file_is_never_committed() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
