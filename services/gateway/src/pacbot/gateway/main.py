"""Process entry point: ``pacbot-gateway [serve|migrate]``."""

from __future__ import annotations

from pacbot.common.serve import serve
from pacbot.gateway.app import MIGRATIONS, create_app
from pacbot.gateway.settings import GatewaySettings


def main() -> None:
    """Run the gateway, or only its migrations."""
    serve(create_app, GatewaySettings, MIGRATIONS)


if __name__ == "__main__":
    main()
