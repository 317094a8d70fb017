"""The `pacbot` command: demo, embedded run, dev stack, scan, policy tools, event schemas."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

SERVICE_NAMES = ("inventory", "assessor", "violations", "exceptions", "autofix", "gateway")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pacbot", description="Continuous compliance for AWS.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="seed a simulated AWS estate, assess and remediate it, serve the dashboard",
        description="Seed moto with two accounts in two regions, run PacBot embedded, print the "
        "report and serve the dashboard on 127.0.0.1 until Ctrl-C.",
    )
    demo.add_argument(
        "--port",
        type=int,
        help="dashboard port on 127.0.0.1 (default 8400, or a free one when 8400 is taken)",
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="print the report and exit (no dashboard)"
    )
    demo.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    demo.add_argument(
        "--apply-fixes",
        action="store_true",
        help="let AutoFix really change the simulated resources (default: dry run)",
    )
    demo.add_argument(
        "--grace-seconds", type=float, default=3.0, help="AutoFix grace period (default 3)"
    )
    demo.add_argument("--data-dir", type=Path, help="keep the SQLite files and the log here")
    demo.add_argument("--endpoint-url", help="a fresh moto server to seed (default: its own)")
    sub.add_parser("dev", help="dev stack: up | down | status [components]", add_help=False)
    resources = sub.add_parser("resources", help="supported resource types and the IAM policy")
    resources.add_argument("what", nargs="?", default="types", choices=["types", "iam-policy"])
    resources.add_argument("--format", choices=["table", "json"], default="table")
    fixes = sub.add_parser("fixes", help="registered AutoFix fixes and the remediation IAM policy")
    fixes.add_argument("action", choices=["list", "iam-policy"])
    fixes.add_argument("--format", choices=["table", "json"], default="table")
    policy = sub.add_parser(
        "policy", help="policy-as-code tools: lint | test | whatif | import-custodian"
    )
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    lint = policy_sub.add_parser(
        "lint", help="every mistake of policy YAML, each as file:line: path: severity: message"
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    ptest = policy_sub.add_parser("test", help="run each policy's own pass/fail examples")
    ptest.add_argument("paths", nargs="+", metavar="PATH", help="policy files or directories")
    whatif = policy_sub.add_parser("whatif", help="evaluate a draft policy on the live inventory")
    whatif.add_argument("file", type=Path, metavar="FILE", help="the draft policy YAML")
    whatif_target = whatif.add_mutually_exclusive_group()
    whatif_target.add_argument("--gateway-url", help="the gateway (default http://127.0.0.1:8100)")
    whatif_target.add_argument("--assessor-url", help="the assessor, bypassing the gateway")
    whatif.add_argument("--format", choices=["text", "json"], default="text")
    whatif.add_argument(
        "--api-key",
        help="the gateway API key (default: $PACBOT_API_KEY); the assessor is "
        "called with a token signed with $PACBOT_INTERNAL_SECRET",
    )
    importc = policy_sub.add_parser(
        "import-custodian", help="convert Cloud Custodian policies to PacBot policy YAML"
    )
    importc.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="Custodian files or directories"
    )
    importc.add_argument("--out", type=Path, help="write one YAML per policy here (default stdout)")
    importc.add_argument(
        "--report",
        type=Path,
        nargs="?",
        const=Path("custodian-import-report.json"),
        help="also write the migration report as JSON (default custodian-import-report.json)",
    )
    importc.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="do not write a policy that duplicates a shipped PacBot policy",
    )
    scan = sub.add_parser("scan", help="discover and assess one account now, in-process")
    scan.add_argument("--endpoint-url", help="an AWS-compatible endpoint (e.g. a moto server)")
    scan.add_argument("--regions", help="comma-separated regions (default: the session's)")
    scan.add_argument(
        "--resources", help="comma-separated resource types (default: those the policies cover)"
    )
    scan.add_argument("--policies", help="comma-separated policy ids (default: every enabled)")
    scan.add_argument(
        "--policy-path",
        type=Path,
        action="append",
        help="policy file or directory, repeatable (default: the shipped pack)",
    )
    scan.add_argument("--format", choices=["text", "json"], default="text")
    scan.add_argument(
        "--fail-on",
        choices=["critical", "high", "medium", "low"],
        help="exit 3 when a failing finding is at or above this severity",
    )
    scan.add_argument("--concurrency", type=int, default=8, help="describe threads (default 8)")
    scan.add_argument(
        "--framework",
        help="only the policies mapped to this framework (e.g. cis-aws-3.0), findings grouped by "
        "its requirements",
    )
    _report_parser(sub)
    policies = sub.add_parser("policies", help="the shipped policy pack")
    policies.add_argument("action", choices=["list"])
    policies.add_argument("--format", choices=["table", "json"], default="table")
    policies.add_argument("--policy-path", action="append", help="a pack directory (repeatable)")
    frameworks = sub.add_parser("frameworks", help="compliance frameworks and the pack's coverage")
    frameworks.add_argument("action", nargs="?", default="list", choices=["list"])
    frameworks.add_argument("--format", choices=["table", "json"], default="table")
    frameworks.add_argument("--policy-path", action="append", help="a pack directory (repeatable)")
    events = sub.add_parser("events", help="event contract tools")
    events.add_argument("action", choices=["schema"])
    events.add_argument("--out", type=Path, help="write one JSON Schema file per event here")
    kafka = sub.add_parser("kafka", help="Kafka administration: setup")
    kafka_sub = kafka.add_subparsers(dest="kafka_command", required=True)
    ksetup = kafka_sub.add_parser(
        "setup",
        help="create the contract's topics (and DLQs), per-service ACLs and SCRAM users",
        description="Idempotent. The admin connection comes from PACBOT_KAFKA_BOOTSTRAP_SERVERS "
        "and PACBOT_KAFKA_SECURITY_PROTOCOL / _SASL_* / _SSL_CAFILE.",
    )
    ksetup.add_argument("--partitions", type=int, default=3, help="partitions per topic (3)")
    ksetup.add_argument("--replication-factor", type=int, default=1, help="replicas (1)")
    ksetup.add_argument(
        "--acls",
        action="store_true",
        help="let each service's principal (User:pacbot-<service>, or its "
        "PACBOT_<SERVICE>_KAFKA_SASL_USERNAME) write only the topics it produces and read those "
        "it consumes",
    )
    ksetup.add_argument(
        "--scram-users-from-env",
        action="store_true",
        help="create or re-key a SCRAM user per service from PACBOT_<SERVICE>_KAFKA_SASL_PASSWORD",
    )
    settings = sub.add_parser("settings", help="every environment variable a service reads")
    settings.add_argument("service", choices=sorted(SERVICE_NAMES))
    settings.add_argument("--json", action="store_true", help="as JSON")
    return parser


def _report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="a framework's report: each requirement's status and failing resources",
        description="From a running platform (--gateway-url, scoped like the API) or, without "
        "it, from a one-shot scan of the current AWS credentials' account.",
    )
    report.add_argument("--framework", required=True, help="the framework id, e.g. cis-aws-3.0")
    report.add_argument("--format", choices=["table", "json", "csv", "html"], default="table")
    report.add_argument("--output", type=Path, metavar="FILE", help="write here (default stdout)")
    report.add_argument("--gateway-url", help="report from this gateway instead of a scan")
    report.add_argument("--api-key", help="the gateway API key (default: $PACBOT_API_KEY)")
    report.add_argument("--account-id", action="append", default=[], help="(gateway) repeatable")
    report.add_argument("--resource-type", action="append", default=[], help="(gateway) repeatable")
    report.add_argument(
        "--tag", action="append", default=[], help="(gateway) KEY=VALUE, repeatable"
    )
    report.add_argument("--group", help="(gateway) an asset group")
    report.add_argument(
        "--exempted-as-passing", action="store_true", help="(gateway) exempted failures pass"
    )
    report.add_argument(
        "--resource-limit", type=int, help="failing resources listed per requirement"
    )
    report.add_argument("--regions", help="comma-separated regions (scan, or gateway filter)")
    report.add_argument("--endpoint-url", help="(scan) an AWS-compatible endpoint, e.g. moto")
    report.add_argument(
        "--policy-path", type=Path, action="append", help="(scan) policy file or directory"
    )
    report.add_argument("--concurrency", type=int, default=8, help="(scan) describe threads")


def _report(args: argparse.Namespace) -> int:
    from pacbot.cli.report_cmd import Scoped
    from pacbot.cli.report_cmd import run as report_run
    from pacbot.cli.scan import ScanOptions, split_list

    regions = split_list(args.regions)
    scan = ScanOptions(
        endpoint_url=args.endpoint_url, regions=regions, concurrency=args.concurrency
    )
    if args.policy_path:
        scan.policy_paths = [str(p) for p in args.policy_path]
    scope = Scoped(
        account_id=args.account_id,
        region=regions or [],
        resource_type=args.resource_type,
        tag=args.tag,
        group=args.group,
        exempted_as_passing=args.exempted_as_passing,
        resource_limit=args.resource_limit,
    )
    return report_run(
        args.framework,
        output=args.format,
        output_file=args.output,
        scope=scope,
        gateway_url=args.gateway_url,
        api_key=args.api_key or os.environ.get("PACBOT_API_KEY"),
        scan=scan,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pacbot` console script."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["dev"]:
        from pacbot.cli.devstack import cli

        return cli(args_list[1:])
    args = _parser().parse_args(args_list)
    if args.command == "demo":
        from pacbot.cli.demo import DemoOptions
        from pacbot.cli.demo import main as demo_main

        return demo_main(
            DemoOptions(
                endpoint_url=args.endpoint_url,
                data_dir=args.data_dir,
                grace_seconds=args.grace_seconds,
                apply_fixes=args.apply_fixes,
                serve=not args.no_serve,
                port=args.port,
                as_json=args.json,
            )
        )
    if args.command == "resources":
        from pacbot.cli.resources import show

        return show(args.what, args.format)
    if args.command == "fixes":
        from pacbot.cli.fixes import run as fixes_run

        return fixes_run(args.action, args.format)
    if args.command == "policy" and args.policy_command == "import-custodian":
        from pacbot.cli.custodian_import import run as import_custodian

        return import_custodian(args.paths, args.out, args.report, args.skip_duplicates)
    if args.command == "policy" and args.policy_command == "whatif":
        from pacbot.cli.whatif import run as whatif_run

        return whatif_run(
            args.file,
            gateway_url=args.gateway_url,
            assessor_url=args.assessor_url,
            output=args.format,
            api_key=args.api_key or os.environ.get("PACBOT_API_KEY"),
            internal_secret=os.environ.get("PACBOT_INTERNAL_SECRET"),
        )
    if args.command == "policy":
        from pacbot.cli.policy_cmd import check_examples, lint

        if args.policy_command == "lint":
            return lint(args.paths, args.format)
        return check_examples(args.paths)
    if args.command == "scan":
        from pacbot.cli.scan import main as scan_main

        return scan_main(
            endpoint_url=args.endpoint_url,
            regions=args.regions,
            resources=args.resources,
            policies=args.policies,
            policy_paths=args.policy_path,
            output=args.format,
            fail_on=args.fail_on,
            concurrency=args.concurrency,
            framework=args.framework,
        )
    if args.command == "report":
        return _report(args)
    if args.command == "policies":
        from pacbot.cli.policies import list_policies

        return list_policies(args.policy_path, args.format)
    if args.command == "frameworks":
        from pacbot.cli.frameworks import list_frameworks

        return list_frameworks(args.policy_path, args.format)
    if args.command == "kafka":
        from pacbot.cli.kafka_cmd import SetupOptions
        from pacbot.cli.kafka_cmd import run as kafka_run

        return kafka_run(
            SetupOptions(
                partitions=args.partitions,
                replication_factor=args.replication_factor,
                acls=args.acls,
                scram_users=args.scram_users_from_env,
            )
        )
    if args.command == "settings":
        from pacbot.cli.settings_cmd import show as show_settings

        return show_settings(args.service, args.json)
    if args.command == "events":
        from pacbot.common.events import event_schemas

        schemas = event_schemas()
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, schema in schemas.items():
                (args.out / f"{name}.json").write_text(json.dumps(schema, indent=2) + "\n")
            print(f"wrote {len(schemas)} schemas to {args.out}")
        else:
            print(json.dumps(schemas, indent=2))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
