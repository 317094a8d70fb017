"""Process entry point: ``pacbot-violations [serve|migrate]`` and ``rebuild-aggregates``.

``pacbot-violations rebuild-aggregates`` recounts the compliance tallies from the raw results
and violations (after migrating), in one transaction, and prints the cells per tally as JSON:
for rows loaded around the service (a bulk import, a restore), or to check nothing drifted.
"""

from __future__ import annotations

import asyncio
import json
import sys

from pacbot.common.serve import checked, serve
from pacbot.violations.app import MIGRATIONS, create_app
from pacbot.violations.settings import ViolationsSettings


async def rebuild_aggregates(settings: ViolationsSettings) -> dict[str, int]:
    """Migrate, then rebuild the tallies for the configured tag keys; cells per tally."""
    from pacbot.common.db import Database
    from pacbot.common.migrations import upgrade
    from pacbot.violations.aggregates.rebuild import rebuild_tallies

    db = Database.for_service(settings)
    try:
        await upgrade(db, MIGRATIONS)
        return await rebuild_tallies(db, settings.tally_tag_keys)
    finally:
        await db.dispose()


def main() -> None:
    """Run the violations API and its consumers, only its migrations, or a rebuild."""
    if len(sys.argv) > 1 and sys.argv[1] == "rebuild-aggregates":
        if len(sys.argv) > 2:
            raise SystemExit("usage: pacbot-violations rebuild-aggregates (no arguments)")
        cells = asyncio.run(rebuild_aggregates(checked(ViolationsSettings(), "database")))
        print(json.dumps({"rebuilt": cells}))
        return
    serve(create_app, ViolationsSettings, MIGRATIONS)
