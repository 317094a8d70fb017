"""values.schema.json and the chart's own checks refuse values that would not work, before
anything reaches a cluster: helm itself fails, naming the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.helm_rig import CHART, helm, template


def bad_values(tmp_path: Path, values: dict[str, Any]) -> Path:
    path = tmp_path / "bad-values.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


GATEWAY = {
    "port": 8100,
    "replicas": 2,
    "resources": {},
    "env": {},
    "autoscaling": {
        "enabled": False,
        "minReplicas": 2,
        "maxReplicas": 6,
        "targetCPUUtilizationPercentage": 70,
    },
    "pdb": {"enabled": True, "maxUnavailable": 1},
}

# values -> words helm's error must contain (the offending key or value, and why)
SCHEMA_REJECTS = {
    "unknown top-level key": ({"replicaCount": 3}, ["replicaCount", "additional properties"]),
    "unknown nested key": (
        {"services": {"gateway": {**GATEWAY, "replicass": 3}}},
        ["replicass", "additional properties"],
    ),
    "unknown service": (
        {"services": {"scanner": {"port": 8200, "replicas": 1}}},
        ["scanner", "additional properties"],
    ),
    "wrong type": (
        {"services": {"gateway": {**GATEWAY, "replicas": "two"}}},
        ["/services/gateway/replicas", "string"],
    ),
    "wrong type of a flag": ({"autofix": {"dryRun": "yes"}}, ["/autofix/dryRun", "boolean"]),
    "unknown Kafka protocol": (
        {"kafka": {"securityProtocol": "SASL"}},
        ["/kafka/securityProtocol", "SASL_SSL"],
    ),
    "lower-case setting name": (
        {"services": {"gateway": {**GATEWAY, "env": {"oidc_issuer": "x"}}}},
        ["oidc_issuer"],
    ),
    "two inventory replicas": (
        {"services": {"inventory": {"port": 8101, "replicas": 2}}},
        ["/services/inventory/replicas", "maximum"],
    ),
    "unknown autofix policy field": (
        {"autofix": {"policies": {"p": {"grace": 10}}}},
        ["grace", "additional properties"],
    ),
}


@pytest.mark.parametrize("case", list(SCHEMA_REJECTS))
def test_schema_rejects(tmp_path: Path, case: str) -> None:
    values, words = SCHEMA_REJECTS[case]
    path = bad_values(tmp_path, values)
    for run in (template(path), helm("lint", "--strict", str(CHART), "--values", str(path))):
        output = run.stdout + run.stderr
        assert run.returncode != 0, output
        assert "values don't meet the specifications of the schema" in output
        for word in words:
            assert word in output, output


# Values the schema allows but the services would refuse at start: the chart fails at render.
RENDER_REJECTS = {
    "password in the database URL": (
        {"postgres": {"url": "postgresql+asyncpg://pacbot:hunter2@db:5432/pacbot"}},
        "postgres.url holds a password",
    ),
    "SASL without credentials": (
        {"kafka": {"securityProtocol": "SASL_SSL"}},
        "kafka.sasl.existingSecret names no Secret",
    ),
    "OpenSearch user without a password": (
        {"opensearch": {"username": "pacbot"}},
        "opensearch.existingSecret names no Secret",
    ),
    "a setting the chart owns": (
        {"services": {"gateway": {**GATEWAY, "env": {"HOST": "127.0.0.1"}}}},
        "services.gateway.env.HOST: the chart sets PACBOT_GATEWAY_HOST itself",
    ),
    "ingress without a host": ({"ingress": {"enabled": True}}, "ingress.hosts"),
    "unsigned webhook": (
        {"notify": {"webhookUrl": "https://hooks.example.com"}},
        "notify.secretKeys.webhookSecret is not",
    ),
}


@pytest.mark.parametrize("case", list(RENDER_REJECTS))
def test_render_rejects(tmp_path: Path, case: str) -> None:
    values, reason = RENDER_REJECTS[case]
    run = template(bad_values(tmp_path, values))
    assert run.returncode != 0, run.stdout
    assert reason in run.stderr, run.stderr


def test_the_same_values_without_the_fault_render(tmp_path: Path) -> None:
    """The refusals above are about the fault, not the shape of the file."""
    run = template(bad_values(tmp_path, {"services": {"gateway": {**GATEWAY, "replicas": 3}}}))
    assert run.returncode == 0, run.stderr


def test_every_object_in_the_schema_is_closed() -> None:
    """No object in values.schema.json takes keys it does not name, except maps whose values
    it types (labels, annotations, env): a new key must be added to the schema to be accepted."""
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    open_objects: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            closed = node.get("additionalProperties", True) is not True
            is_open = node.get("type") == "object" and not closed
            if is_open and where != "/properties/global":  # Helm's own, shared with parent charts
                open_objects.append(where)
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}/{i}")

    walk(schema, "")
    assert schema["additionalProperties"] is False
    assert open_objects == []
