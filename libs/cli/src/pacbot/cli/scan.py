"""`pacbot scan`: discover and assess one account in-process; no services, no database."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import pacbot.assessor
from pacbot.assessor.policies.compiled import CompiledPolicy
from pacbot.cli.policy_cmd import load_paths
from pacbot.cli.reads import reads_by_type
from pacbot.common.aws import AccountAccess, AwsSessionFactory
from pacbot.inventory.connectors import CONNECTORS, ConnectorRegistry, DiscoveredAsset, Scope

if TYPE_CHECKING:
    from pacbot.violations.compliance.framework_schemas import FrameworkCompliance

SHIPPED_PACKS = Path(pacbot.assessor.__file__).parent / "packs"
"""The assessor's shipped packs, found without importing its settings (and so its whole service
stack: web framework, database, migrations), which would triple a one-shot scan's start-up."""

SEVERITIES = ("critical", "high", "medium", "low")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
EXIT_FAIL_ON = 3
EXIT_USAGE = 2


class ScanError(Exception):
    """A problem with the command line or the credentials; nothing was scanned."""


@dataclass
class ScanOptions:
    """What a person chose for one scan."""

    endpoint_url: str | None = None
    regions: list[str] | None = None
    resources: list[str] | None = None
    policies: list[str] | None = None
    policy_paths: list[str] = field(default_factory=lambda: [str(SHIPPED_PACKS)])
    concurrency: int = 8
    framework: str | None = None
    """Only the policies mapped to this framework's controls."""


@dataclass
class SweepOutcome:
    """What one (resource type, region) sweep found, or why it failed."""

    resource_type: str
    region: str
    assets: list[DiscoveredAsset] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ScanResult:
    """Everything a scan learnt: the account, what was discovered and every policy result."""

    account_id: str
    regions: list[str]
    discovered: Counter[str]
    findings: list[dict[str, Any]]
    warnings: list[dict[str, str]]
    policies: list[CompiledPolicy] = field(default_factory=list)
    """The policies the scan evaluated."""
    names: dict[str, str] = field(default_factory=dict)
    """Each discovered asset's name by its id."""
    attributes: dict[str, set[str]] = field(default_factory=dict)
    """The top-level config attributes seen, by resource type (against the documented shapes)."""

    def as_json(self) -> dict[str, Any]:
        """The ``--format json`` document."""
        return {
            "account_id": self.account_id,
            "regions": self.regions,
            "resources": sum(self.discovered.values()),
            "findings": self.findings,
            "sweep_errors": self.warnings,
        }


def describe_error(exc: BaseException) -> str:
    """The AWS error code and message, or the exception's type and text."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'ClientError')}: {error.get('Message', str(exc))}"
    return f"{type(exc).__name__}: {exc}"


def split_list(value: str | None) -> list[str] | None:
    """``"a, b,,c"`` → ``["a", "b", "c"]``; None (not given) stays None."""
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def select_policies(loaded: list[CompiledPolicy], wanted: list[str] | None) -> list[CompiledPolicy]:
    """Every enabled policy, or exactly the named ones (a named policy runs even if disabled)."""
    if wanted is None:
        return [p for p in loaded if p.document.enabled]
    by_id = {p.id: p for p in loaded}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        raise ScanError(f"unknown policy id(s): {', '.join(unknown)}")
    return [by_id[w] for w in dict.fromkeys(wanted)]


def select_types(
    registry: ConnectorRegistry, wanted: list[str] | None, policies: list[CompiledPolicy]
) -> list[str]:
    """The named resource types, or every type one of the selected policies applies to."""
    known = set(registry.types())
    if wanted is None:
        return sorted({p.document.resource for p in policies} & known)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ScanError(f"unknown resource type(s): {', '.join(unknown)}; see `pacbot resources`")
    return list(dict.fromkeys(wanted))


def _sweep(
    registry: ConnectorRegistry,
    resource_type: str,
    scope: Scope,
    describers: ThreadPoolExecutor,
    calls: Collection[str] | None = None,
) -> SweepOutcome:
    outcome = SweepOutcome(resource_type, scope.region)
    connector = registry.get(resource_type)(calls)
    try:
        listed = connector.list_resources(scope)
    except Exception as exc:
        outcome.errors.append(describe_error(exc))
        return outcome
    futures: list[tuple[dict[str, Any], Future[DiscoveredAsset | None]]] = [
        (r, describers.submit(connector.describe, scope, r)) for r in listed
    ]
    id_field = connector.meta.id_field
    for resource, future in futures:
        try:
            asset = future.result()
        except Exception as exc:
            name = resource.get(id_field) or resource.get(connector.meta.name_field) or "?"
            outcome.errors.append(f"describe {name}: {describe_error(exc)}")
            continue
        if asset is not None:
            outcome.assets.append(asset)
    return outcome


def _finding(policy: CompiledPolicy, resource_type: str, asset: DiscoveredAsset) -> dict[str, Any]:
    outcome = policy.evaluate(asset.config)
    return {
        "policy_id": policy.id,
        "severity": policy.document.severity,
        "resource_type": resource_type,
        "resource_id": asset.asset_id,
        "region": asset.region,
        "status": outcome.status,
        "reason": outcome.reason,
    }


def run_scan(options: ScanOptions, registry: ConnectorRegistry = CONNECTORS) -> ScanResult:
    """Discover the selected types in the selected regions and evaluate the selected policies."""
    report = load_paths(options.policy_paths)
    for problem in report.errors:
        print(f"warning: policy not loaded: {problem}", file=sys.stderr)
    policies = select_policies(report.policies, options.policies)
    if options.framework is not None:
        policies = framework_policies(options.framework, policies)
    types = select_types(registry, options.resources, policies)

    default_region = boto3.Session().region_name or "us-east-1"
    regions = options.regions or [default_region]
    aws = AwsSessionFactory(endpoint_url=options.endpoint_url, region=default_region)
    workers = max(1, options.concurrency)
    # sweepers and describers may all use one client at once: one pooled connection each
    pool = max(int(getattr(aws.config, "max_pool_connections", 10)), 2 * workers)
    aws.config = aws.config.merge(Config(max_pool_connections=pool))
    try:
        account = AccountAccess(aws.caller_account())
    except Exception as exc:
        raise ScanError(f"cannot identify the account: {describe_error(exc)}") from exc

    # each type is asked only for the calls that fill what its selected policies read
    reads = reads_by_type(policies)
    calls = {t: registry.get(t).meta.calls_for(reads.get(t, frozenset())) for t in types}
    targets: list[tuple[str, str]] = []
    for resource_type in types:
        scoped = registry.get(resource_type).meta.scope == "global"
        targets.extend((resource_type, r) for r in (["global"] if scoped else regions))

    with (
        ThreadPoolExecutor(workers, thread_name_prefix="pacbot-describe") as describers,
        ThreadPoolExecutor(workers, thread_name_prefix="pacbot-sweep") as sweepers,
    ):
        sweeps = [
            sweepers.submit(
                _sweep,
                registry,
                t,
                Scope(aws, account, region, default_region, regions),
                describers,
                calls[t],
            )
            for t, region in targets
        ]
        outcomes = [s.result() for s in sweeps]

    discovered: Counter[str] = Counter({t: 0 for t in types})
    findings: list[dict[str, Any]] = []
    warnings: list[dict[str, str]] = []
    names: dict[str, str] = {}
    attributes: dict[str, set[str]] = {}
    for sweep in outcomes:
        for error in sweep.errors:
            warnings.append(
                {"resource_type": sweep.resource_type, "region": sweep.region, "error": error}
            )
            print(f"warning: {sweep.resource_type} in {sweep.region}: {error}", file=sys.stderr)
        discovered[sweep.resource_type] += len(sweep.assets)
        applicable = [p for p in policies if p.document.resource == sweep.resource_type]
        for asset in sweep.assets:
            names[asset.asset_id] = asset.name
            attributes.setdefault(sweep.resource_type, set()).update(asset.config)
            findings.extend(_finding(p, sweep.resource_type, asset) for p in applicable)
    findings.sort(key=lambda f: (f["resource_type"], f["resource_id"], f["policy_id"]))
    return ScanResult(
        account.account_id, regions, discovered, findings, warnings, policies, names, attributes
    )


def framework_policies(framework_id: str, policies: list[CompiledPolicy]) -> list[CompiledPolicy]:
    """The ``policies`` mapped to a control of the framework (an unknown id is a ScanError
    naming the known ones)."""
    from pacbot.cli.framework_report import UnknownFramework, find_framework, mapped_policies

    try:
        framework = find_framework(framework_id)
    except UnknownFramework as exc:
        raise ScanError(str(exc)) from exc
    mapped = mapped_policies(framework, policies)
    if not mapped:
        raise ScanError(f"no selected policy maps to a control of {framework.id!r}")
    return mapped


def framework_document(result: ScanResult, framework_id: str) -> FrameworkCompliance:
    """The scan's findings as the framework's report (``FrameworkCompliance``); imported late,
    so a plain scan does not load the report's modules."""
    from pacbot.cli.framework_report import find_framework, scan_report

    return scan_report(
        find_framework(framework_id),
        result.policies,
        result.findings,
        account_id=result.account_id,
        regions=result.regions,
        names=result.names,
    )


def render_discovered(result: ScanResult) -> list[str]:
    """The account and regions, and what was discovered per type."""
    total = sum(result.discovered.values())
    lines = [
        f"Account {result.account_id}, regions {', '.join(result.regions)}",
        f"Discovered {total} resource{'s' if total != 1 else ''}:",
    ]
    width = max((len(t) for t in result.discovered), default=0)
    return lines + [f"  {t:<{width}}  {n}" for t, n in sorted(result.discovered.items())]


def render_text(result: ScanResult) -> str:
    """A readable summary: what was found per type, findings by severity, then the failures."""
    lines = render_discovered(result)
    statuses = Counter(f["status"] for f in result.findings)
    failing = [f for f in result.findings if f["status"] == "fail"]
    by_severity = Counter(f["severity"] for f in failing)
    lines.append(
        f"Findings: {len(failing)} failing "
        f"({', '.join(f'{s} {by_severity[s]}' for s in SEVERITIES)}), "
        f"{statuses['pass']} passed, {statuses['error']} errors, "
        f"{statuses['not_applicable']} not applicable"
    )
    for title, status in (("Failing", "fail"), ("Errors", "error")):
        rows = [f for f in result.findings if f["status"] == status]
        if not rows:
            continue
        rows.sort(key=lambda f: (_RANK.get(f["severity"], 99), f["policy_id"], f["resource_id"]))
        lines.append(f"\n{title}:")
        lines += [
            f"  {f['severity'].upper():<8}  {f['policy_id']}  {f['resource_id']}  {f['reason']}"
            for f in rows
        ]
    return "\n".join(lines)


def exit_code(result: ScanResult, fail_on: str | None) -> int:
    """0, or 3 when a failing finding is at or above ``fail_on``."""
    if fail_on is None:
        return 0
    threshold = _RANK[fail_on]
    hit = any(
        f["status"] == "fail" and _RANK.get(f["severity"], 99) <= threshold for f in result.findings
    )
    return EXIT_FAIL_ON if hit else 0


def main(
    *,
    endpoint_url: str | None,
    regions: str | None,
    resources: str | None,
    policies: str | None,
    policy_paths: Sequence[Path] | None,
    output: str,
    fail_on: str | None,
    concurrency: int,
    framework: str | None = None,
) -> int:
    """Run a scan from command-line values and print it; the process exit code."""
    options = ScanOptions(
        endpoint_url=endpoint_url,
        regions=split_list(regions),
        resources=split_list(resources),
        policies=split_list(policies),
        concurrency=concurrency,
        framework=framework,
    )
    if policy_paths:
        options.policy_paths = [str(p) for p in policy_paths]
    try:
        result = run_scan(options)
    except ScanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if framework is not None:
        from pacbot.cli.framework_report import render_table

        report = framework_document(result, framework)
        if output == "json":
            document = {**result.as_json(), "framework": report.model_dump(mode="json")}
            print(json.dumps(document, indent=2))
        else:
            print("\n".join([*render_discovered(result), "", render_table(report)]))
    elif output == "json":
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(render_text(result))
    return exit_code(result, fail_on)
