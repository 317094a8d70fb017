"""The `pacbot` command: demo, embedded run, dev stack, event schemas."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pacbot", description="Continuous compliance for AWS.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the whole loop embedded against a seeded moto estate")
    demo.add_argument("--endpoint-url", help="an AWS-compatible endpoint (default: a moto server)")
    demo.add_argument("--grace-seconds", type=float, default=3.0, help="autofix grace period")
    demo.add_argument("--data-dir", type=Path, help="keep the SQLite files here")
    sub.add_parser("dev", help="dev stack: up | down | status [components]", add_help=False)
    resources = sub.add_parser("resources", help="supported resource types and the IAM policy")
    resources.add_argument("what", nargs="?", default="types", choices=["types", "iam-policy"])
    resources.add_argument("--format", choices=["table", "json"], default="table")
    events = sub.add_parser("events", help="event contract tools")
    events.add_argument("action", choices=["schema"])
    events.add_argument("--out", type=Path, help="write one JSON Schema file per event here")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pacbot` console script."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["dev"]:
        from pacbot.cli.devstack import cli

        return cli(args_list[1:])
    args = _parser().parse_args(args_list)
    if args.command == "demo":
        from pacbot.cli.demo import main as demo_main

        return demo_main(args.endpoint_url, args.grace_seconds, args.data_dir)
    if args.command == "resources":
        from pacbot.cli.resources import show

        return show(args.what, args.format)
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
