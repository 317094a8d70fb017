"""Process entry point: ``pacbot-inventory [serve|migrate]``."""

from __future__ import annotations

from pacbot.common.serve import serve
from pacbot.inventory.app import MIGRATIONS, create_app
from pacbot.inventory.settings import InventorySettings


def main() -> None:
    """Run the inventory API with its scheduler, or only migrate its database."""
    serve(create_app, InventorySettings, MIGRATIONS)


if __name__ == "__main__":
    main()
