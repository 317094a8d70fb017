"""Command line of the dev stack: up, down, status."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ._config import COMPONENTS
from ._process import DevStackError
from ._stack import DevStack


def _parser() -> argparse.ArgumentParser:
    """Argument parser for `pacbot dev`."""
    parser = argparse.ArgumentParser(
        prog="pacbot dev", description="Real servers as local processes on 127.0.0.1."
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("components", nargs="*", metavar="component", help=", ".join(COMPONENTS))
    parser.add_argument("--env-file", type=Path, help="also write the KEY=VALUE lines here")
    parser.add_argument("--home", type=Path, help="state directory (default $PACBOT_DEV_HOME)")
    parser.add_argument("--timeout", type=float, default=240, help="readiness timeout, seconds")
    return parser


def _print_status(stack: DevStack) -> bool:
    """Print a status table; return whether every component runs."""
    rows = stack.status()
    print(f"{'component':<11} {'running':<8} {'pid':>8}  address")
    for name, row in rows.items():
        pid = row["pid"] if row["pid"] is not None else "-"
        print(f"{name:<11} {'yes' if row['running'] else 'no':<8} {pid!s:>8}  {row['address']}")
    return all(row["running"] for row in rows.values())


def cli(argv: list[str]) -> int:
    """Run the dev-stack command line; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    components = args.components or list(COMPONENTS)
    try:
        stack = DevStack(args.home)
        if args.command == "up":
            started = time.monotonic()
            info = stack.up(components, timeout=args.timeout)
            print(f"dev stack up in {time.monotonic() - started:.1f}s ({', '.join(components)})")
            for name in components:
                print(f"  {name:<11} {stack.components[name].address()}")
            print(f"# env ({stack.home / 'stack.env'}):")
            for key, value in info.env().items():
                print(f"{key}={value}")
            if args.env_file:
                stack.write_env(args.env_file, info)
        elif args.command == "down":
            stack.down(components)
            print(f"stopped: {', '.join(components)}")
        else:
            _print_status(stack)
    except DevStackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
