"""Process entry point: ``pacbot-inventory [serve|migrate|reindex]``."""

from __future__ import annotations

import asyncio
import json
import sys

from pacbot.common.runtime import Runtime
from pacbot.common.serve import checked, serve
from pacbot.inventory.app import MIGRATIONS, build_search, create_app
from pacbot.inventory.models import INBOX, OUTBOX
from pacbot.inventory.settings import InventorySettings


async def reindex(settings: InventorySettings) -> dict[str, object]:
    """Rebuild the search index from the assets table, without serving anything."""
    from pacbot.inventory.assets.service import reindex as rebuild

    runtime = Runtime(settings, outbox=OUTBOX, inbox=INBOX, migrations=MIGRATIONS)
    search = build_search(settings, runtime)
    await search.start()
    try:
        rebuilt = await rebuild(runtime.db, search)
    finally:
        await search.stop()
        await runtime.db.dispose()
    return {"indexed": rebuilt.indexed, "index": rebuilt.index}


def main() -> None:
    """Run the inventory API with its scheduler, only migrate, or only rebuild search."""
    if sys.argv[1:2] == ["reindex"]:
        print(json.dumps(asyncio.run(reindex(checked(InventorySettings(), "database", "search")))))
        return
    serve(create_app, InventorySettings, MIGRATIONS)


if __name__ == "__main__":
    main()
