"""Keeps the tallies counting by the inventory's asset groups, as groups appear and change.

Each pass reads the inventory's groups (criteria only, no member counts) and hands the first
``tally_groups`` by name to :func:`~pacbot.violations.aggregates.rebuild.sync_groups`. Until a
group's cells are counted (or while they were counted for criteria the group no longer has),
its figures come from the raw rows: reads match a scope against the criteria the cells were
counted for, never against a name.
"""

from __future__ import annotations

import logging

from pacbot.common.periodic import Periodic
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError
from pacbot.violations.aggregates.rebuild import sync_groups
from pacbot.violations.compliance.groups import inventory_groups

log = logging.getLogger("pacbot.violations.group_cells")


class GroupCells(Periodic):
    """A loop that syncs the tallies' groups with the inventory's every ``interval`` seconds."""

    name = "tally-groups"

    def __init__(self, runtime: Runtime, limit: int, interval: float) -> None:
        super().__init__(interval)
        self.runtime = runtime
        self.limit = limit

    async def run_once(self) -> list[str]:
        """One sync; the names of the groups whose cells were counted anew or dropped."""
        try:
            groups, _more = await inventory_groups(self.runtime)
        except DomainError as exc:  # the inventory is down: keep the cells as they are
            log.warning("asset groups not synced into the tallies: %s", exc.message)
            return []
        changed = await sync_groups(self.runtime.db, dict(groups[: self.limit]))
        if changed:
            log.info("tallies now count asset groups %s as the inventory defines them", changed)
        return changed
