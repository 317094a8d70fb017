"""Process entry point: ``pacbot-gateway [serve|migrate]``, ``admin create-key``, ``access-table``.

``pacbot-gateway admin create-key --role admin --name bootstrap`` is how the first key is made:
there are no default credentials. It writes straight to the gateway's database (after migrating
it) and prints the token once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from pacbot.common.serve import checked, serve
from pacbot.gateway.access import table_markdown
from pacbot.gateway.app import MIGRATIONS, create_app
from pacbot.gateway.settings import GatewaySettings


async def create_key(args: argparse.Namespace, settings: GatewaySettings) -> str:
    """Migrate, then issue one key as the operator on this machine; returns the token."""
    from pacbot.common.db import Database
    from pacbot.common.migrations import upgrade
    from pacbot.gateway.auth import keys

    db = Database.for_service(settings)
    try:
        await upgrade(db, MIGRATIONS)
        spec = keys.KeySpec.of(
            args.role,
            name=args.name,
            subject=args.subject,
            groups=args.group or (),
            accounts=args.account,
            expires_in_days=args.expires_days,
        )
        return await keys.issue_direct(db, spec, max_days=settings.key_max_days)
    finally:
        await db.dispose()


def admin(argv: list[str]) -> int:
    """``pacbot-gateway admin create-key ...``."""
    parser = argparse.ArgumentParser(prog="pacbot-gateway admin")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create-key", help="issue an API key and print it once")
    make.add_argument("--name", default="bootstrap")
    make.add_argument(
        "--role", action="append", required=True, choices=["viewer", "owner", "security", "admin"]
    )
    make.add_argument("--subject", help="whom the key acts as (default: its name)")
    make.add_argument("--group", action="append", help="a group the key's subject belongs to")
    make.add_argument("--account", action="append", help="scope the key to this account")
    make.add_argument("--expires-days", type=float, default=90)
    args = parser.parse_args(argv)
    token = asyncio.run(create_key(args, checked(GatewaySettings(), "database")))
    print(token)
    print("This key is shown once; store it now.", file=sys.stderr)
    return 0


def main() -> None:
    """Run the gateway, only its migrations, an admin command, or print the access table."""
    if len(sys.argv) > 1 and sys.argv[1] == "admin":
        raise SystemExit(admin(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "access-table":
        print(table_markdown(), end="")
        return
    serve(create_app, GatewaySettings, MIGRATIONS)


if __name__ == "__main__":
    main()
