"""The Helm chart: it lints strictly, renders with each values file into manifests that Kubernetes'
own schemas accept (strict), and what it renders is what a platform team relies on: hardened pods,
probes, hooks that run before the services, scaling, network isolation, TLS and IRSA."""

from __future__ import annotations

import copy
import shlex
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.helm_rig import (
    CHART,
    CI_VALUES,
    RELEASE,
    SERVICES,
    helm,
    named,
    of_kind,
    rendered,
    values_args,
)

# The newest Kubernetes the validator ships schemas for at the time of writing, and the oldest
# the chart supports (Chart.yaml kubeVersion).
KUBERNETES_VERSIONS = ("1.27", "1.35")
PRODUCTION = CI_VALUES / "production-values.yaml"
MINIMAL = CI_VALUES / "minimal-values.yaml"
VALUES_FILES = [None, PRODUCTION, MINIMAL]
IDS = ["defaults", "production", "minimal"]
SCALABLE = {"gateway", "assessor", "violations", "exceptions", "autofix"}
Manifests = tuple[dict[str, Any], ...]


def pod_specs(manifests: Manifests) -> list[tuple[str, dict[str, Any]]]:
    """Every pod template the chart renders (Deployments and Jobs), by workload name."""
    return [
        (f"{m['kind']}/{m['metadata']['name']}", m["spec"]["template"]["spec"])
        for m in manifests
        if m["kind"] in ("Deployment", "Job")
    ]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def secret_ref(container: dict[str, Any], name: str) -> tuple[str, str]:
    ref = env_of(container)[name]["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def deployment(manifests: Manifests, service: str) -> dict[str, Any]:
    return named(manifests, "Deployment", f"{RELEASE}-{service}")


def container(manifests: Manifests, service: str) -> dict[str, Any]:
    (only,) = deployment(manifests, service)["spec"]["template"]["spec"]["containers"]
    return only


def test_ci_values_files_are_the_ones_tested() -> None:
    assert sorted(p.name for p in CI_VALUES.glob("*.yaml")) == sorted(
        p.name for p in VALUES_FILES if p is not None
    )


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_lint_strict(values_file: Path | None) -> None:
    run = helm("lint", "--strict", str(CHART), *values_args(values_file))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 chart(s) failed" in run.stdout


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_every_manifest_is_valid_kubernetes(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    assert manifests
    for version in KUBERNETES_VERSIONS:
        for manifest in manifests:
            where = f"{manifest['kind']}/{manifest['metadata']['name']} (Kubernetes {version})"
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{where}: {error.message} at {list(error.path)}")


def test_strict_validation_catches_an_unknown_field() -> None:
    """The validation above can fail: a field Kubernetes does not know is refused."""
    manifest = copy.deepcopy(deployment(rendered(None), "gateway"))
    manifest["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(manifest, KUBERNETES_VERSIONS[-1], strict=True)


def test_rendered_kinds_cover_a_complete_install() -> None:
    kinds = {m["kind"] for values_file in VALUES_FILES for m in rendered(values_file)}
    assert kinds >= {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Ingress",
        "Job",
        "ServiceAccount",
        "ConfigMap",
        "Secret",
    }


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_a_deployment_and_a_service_per_service(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    for service in SERVICES:
        spec = deployment(manifests, service)["spec"]
        svc = named(manifests, "Service", f"{RELEASE}-{service}")
        assert svc["spec"]["selector"] == spec["selector"]["matchLabels"]
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        (port,) = container(manifests, service)["ports"]
        assert svc["spec"]["ports"][0]["targetPort"] == port["name"] == "http"
        assert container(manifests, service)["command"] == [f"pacbot-{service}"]


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_every_pod_is_hardened(values_file: Path | None) -> None:
    for where, pod in pod_specs(rendered(values_file)):
        security = pod["securityContext"]
        assert security["runAsNonRoot"] is True, where
        assert security["runAsUser"] == 10001, where
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert pod["automountServiceAccountToken"] is False, where
        volumes = {v["name"]: v for v in pod["volumes"]}
        for c in pod["containers"]:
            ctx = c["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True, where
            assert ctx["allowPrivilegeEscalation"] is False, where
            assert ctx["capabilities"] == {"drop": ["ALL"]}, where
            assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert c["resources"]["requests"]["memory"], where
            assert c["resources"]["limits"]["memory"], where
            (tmp,) = [m for m in c["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert "emptyDir" in volumes[tmp["name"]], where


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_probes_alive_on_healthz_ready_on_readyz(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    for service in SERVICES:
        c = container(manifests, service)
        assert c["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        startup = c["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def hook(manifest: dict[str, Any]) -> tuple[set[str], int]:
    annotations = manifest["metadata"]["annotations"]
    return set(annotations["helm.sh/hook"].split(",")), int(annotations["helm.sh/hook-weight"])


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_hook_jobs_run_before_the_services(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    topics = named(manifests, "Job", f"{RELEASE}-kafka-setup")
    migrate = named(manifests, "Job", f"{RELEASE}-migrate")
    for job in (topics, migrate):
        phases, _ = hook(job)
        assert phases == {"pre-install", "pre-upgrade"}
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        # hooks run before the release's ConfigMaps exist: a Job must not read one
        for c in pod["containers"]:
            assert "envFrom" not in c
            assert all("configMapKeyRef" not in e.get("valueFrom", {}) for e in c["env"])
    assert hook(topics)[1] < hook(migrate)[1]
    commands = sorted(c["command"] for c in migrate["spec"]["template"]["spec"]["containers"])
    assert commands == sorted([f"pacbot-{s}", "migrate"] for s in SERVICES)
    # a Secret the chart renders and a Job reads must exist before the Job: an earlier hook
    secrets = {s["metadata"]["name"]: s for s in of_kind(manifests, "Secret")}
    for job in (topics, migrate):
        for c in job["spec"]["template"]["spec"]["containers"]:
            for e in c["env"]:
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["name"] in secrets:
                    assert hook(secrets[ref["name"]])[1] < hook(job)[1]


def topic_job_container(manifests: Manifests) -> dict[str, Any]:
    job = named(manifests, "Job", f"{RELEASE}-kafka-setup")
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


def test_topic_job_runs_kafka_setup_with_acls_as_admin() -> None:
    c = topic_job_container(rendered(PRODUCTION))
    setup = "pacbot kafka setup --partitions 12 --replication-factor 3 --acls"
    assert c["command"] == shlex.split(setup)
    env = env_of(c)
    assert env["PACBOT_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
    assert env["PACBOT_KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-512"
    assert env["PACBOT_KAFKA_SSL_CAFILE"]["value"] == "/etc/pacbot/ca/ca.crt"
    assert env["PACBOT_KAFKA_SASL_USERNAME"]["value"] == "pacbot-admin"
    assert secret_ref(c, "PACBOT_KAFKA_SASL_PASSWORD") == ("pacbot-kafka-admin", "password")


def test_topic_job_without_sasl_creates_topics_only() -> None:
    """Without SASL there are no principals to grant: no --acls, no admin login."""
    c = topic_job_container(rendered(MINIMAL))
    assert c["command"] == shlex.split("pacbot kafka setup --partitions 1 --replication-factor 1")
    assert "PACBOT_KAFKA_SASL_PASSWORD" not in env_of(c)


def test_production_credentials_come_from_existing_secrets() -> None:
    manifests = rendered(PRODUCTION)
    assert of_kind(manifests, "Secret") == []  # every Secret is the operator's
    for service in SERVICES:
        c = container(manifests, service)
        assert secret_ref(c, "PACBOT_INTERNAL_SECRET") == ("pacbot-internal", "internal-secret")
        assert secret_ref(c, "PACBOT_POSTGRES_PASSWORD") == ("pacbot-postgres", "password")
        own = f"PACBOT_{service.upper()}_KAFKA_SASL_PASSWORD"
        assert secret_ref(c, own) == ("pacbot-kafka", f"pacbot-{service}")
        config = named(manifests, "ConfigMap", f"{RELEASE}-{service}")["data"]
        assert config[f"PACBOT_{service.upper()}_KAFKA_SASL_USERNAME"] == f"pacbot-{service}"
        searches = service in {"gateway", "inventory"}
        assert ("PACBOT_OPENSEARCH_PASSWORD" in env_of(c)) is searches
    for c in named(manifests, "Job", f"{RELEASE}-migrate")["spec"]["template"]["spec"][
        "containers"
    ]:
        assert secret_ref(c, "PACBOT_POSTGRES_PASSWORD") == ("pacbot-postgres", "password")
    shared = named(manifests, "ConfigMap", f"{RELEASE}-shared")["data"]
    assert shared["PACBOT_POSTGRES_SSLMODE"] == "verify-full"
    assert shared["PACBOT_POSTGRES_SSLROOTCERT"] == "/etc/pacbot/ca/ca.crt"
    assert shared["PACBOT_OPENSEARCH_USERNAME"] == "pacbot"
    notify = named(manifests, "ConfigMap", f"{RELEASE}-autofix")["data"]
    assert notify["PACBOT_AUTOFIX_SMTP_PASSWORD_FILE"] == "/etc/pacbot/notify/smtp-password"


@pytest.mark.parametrize("values_file", VALUES_FILES, ids=IDS)
def test_no_secret_value_is_written_in_plain_text(values_file: Path | None) -> None:
    manifests = rendered(values_file)
    for config in of_kind(manifests, "ConfigMap"):
        for key in config["data"]:
            assert not key.endswith(("PASSWORD", "SECRET")), key
    for _, pod in pod_specs(manifests):
        for c in pod["containers"]:
            for e in c.get("env", []):
                if e["name"].endswith(("PASSWORD", "SECRET")):
                    assert "secretKeyRef" in e["valueFrom"], e


def test_the_generated_internal_secret_is_a_kept_early_hook() -> None:
    manifests = rendered(None)
    (secret,) = of_kind(manifests, "Secret")
    assert hook(secret) == ({"pre-install", "pre-upgrade"}, -10)
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert len(secret["data"]["PACBOT_INTERNAL_SECRET"]) >= 64
    for service in SERVICES:
        assert secret_ref(container(manifests, service), "PACBOT_INTERNAL_SECRET") == (
            secret["metadata"]["name"],
            "PACBOT_INTERNAL_SECRET",
        )


def test_production_scales_the_scalable_services() -> None:
    manifests = rendered(PRODUCTION)
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in of_kind(manifests, "HorizontalPodAutoscaler")
    }
    pdbs = {p["metadata"]["name"]: p for p in of_kind(manifests, "PodDisruptionBudget")}
    assert set(hpas) == set(pdbs) == {f"{RELEASE}-{s}" for s in SCALABLE}
    for service in SCALABLE:
        spec = deployment(manifests, service)["spec"]
        assert "replicas" not in spec  # the HPA owns the count
        hpa = hpas[f"{RELEASE}-{service}"]["spec"]
        assert hpa["scaleTargetRef"]["kind"] == "Deployment"
        assert 1 <= hpa["minReplicas"] < hpa["maxReplicas"]
        pdb = pdbs[f"{RELEASE}-{service}"]["spec"]
        assert pdb["selector"]["matchLabels"] == spec["selector"]["matchLabels"]
        zones = spec["template"]["spec"]["topologySpreadConstraints"]
        assert {t["topologyKey"] for t in zones} == {
            "topology.kubernetes.io/zone",
            "kubernetes.io/hostname",
        }
        assert all(
            t["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"] for t in zones
        )
    assert deployment(manifests, "inventory")["spec"]["replicas"] == 1


def test_minimal_runs_one_replica_of_each_without_hpa_or_pdb() -> None:
    manifests = rendered(MINIMAL)
    assert of_kind(manifests, "HorizontalPodAutoscaler") == []
    assert of_kind(manifests, "PodDisruptionBudget") == []
    assert of_kind(manifests, "Ingress") == []
    for service in SERVICES:
        spec = deployment(manifests, service)["spec"]
        assert spec["replicas"] == 1
        assert "topologySpreadConstraints" not in spec["template"]["spec"]


def ports_open_to(policy: dict[str, Any]) -> list[tuple[dict[str, Any], list[Any]]]:
    return [(peer, rule["ports"]) for rule in policy["spec"]["ingress"] for peer in rule["from"]]


def test_only_the_gateway_takes_traffic_from_outside() -> None:
    manifests = rendered(None)
    release_pods = {
        "podSelector": {
            "matchLabels": {
                "app.kubernetes.io/part-of": "pacbot",
                "app.kubernetes.io/instance": RELEASE,
            }
        }
    }
    for service in SERVICES:
        policy = named(manifests, "NetworkPolicy", f"{RELEASE}-{service}")
        selector = deployment(manifests, service)["spec"]["selector"]["matchLabels"]
        assert policy["spec"]["podSelector"]["matchLabels"] == selector
        assert policy["spec"]["policyTypes"] == ["Ingress"]  # egress open by default
        peers = [peer for peer, _ in ports_open_to(policy)]
        outside = [p for p in peers if p != release_pods]
        if service == "gateway":
            assert outside == [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                    }
                }
            ]
        else:
            assert outside == [], service
        assert release_pods in peers
        assert all(
            ports == [{"port": "http", "protocol": "TCP"}] for _, ports in ports_open_to(policy)
        )


def test_production_restricts_egress_to_dns_release_and_listed_endpoints() -> None:
    manifests = rendered(PRODUCTION)
    for service in SERVICES:
        spec = named(manifests, "NetworkPolicy", f"{RELEASE}-{service}")["spec"]
        assert spec["policyTypes"] == ["Ingress", "Egress"]
        dns, release, *extra = spec["egress"]
        assert {p["port"] for p in dns["ports"]} == {53}
        assert (
            release["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/instance"] == RELEASE
        )
        assert [r["to"][0]["ipBlock"]["cidr"] for r in extra] == ["10.0.0.0/16", "0.0.0.0/0"]


def test_production_ingress_serves_the_gateway_over_tls() -> None:
    (ingress,) = of_kind(rendered(PRODUCTION), "Ingress")
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["tls"] == [{"secretName": "pacbot-tls", "hosts": ["pacbot.example.com"]}]
    (rule,) = spec["rules"]
    assert rule["host"] == "pacbot.example.com"
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"] == {"name": f"{RELEASE}-gateway", "port": {"name": "http"}}


def test_production_pods_assume_the_irsa_role() -> None:
    manifests = rendered(PRODUCTION)
    (account,) = of_kind(manifests, "ServiceAccount")
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/pacbot"
    }
    for service in SERVICES:
        pod = deployment(manifests, service)["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == account["metadata"]["name"]


def test_notes_tell_how_to_reach_the_gateway_and_make_the_first_key() -> None:
    # `helm template` leaves NOTES.txt out; `helm install --dry-run=client` renders it, offline
    for values_file, reach in [
        (None, "port-forward service/pacbot-gateway 8100:8100"),
        (PRODUCTION, "https://pacbot.example.com/"),
    ]:
        run = helm("install", RELEASE, str(CHART), "--dry-run=client", *values_args(values_file))
        assert run.returncode == 0, run.stderr
        notes = run.stdout.split("NOTES:", 1)[1]
        assert reach in notes
        assert "pacbot-gateway admin create-key --role admin --name bootstrap" in notes
