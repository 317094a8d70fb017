"""Discovery: plan sweeps, run connectors, reconcile assets, emit events, keep search current."""

from pacbot.inventory.discovery.planner import SweepPlanner
from pacbot.inventory.discovery.scheduler import SweepScheduler
from pacbot.inventory.discovery.sweep import Discovery, SweepTarget

__all__ = ["Discovery", "SweepPlanner", "SweepScheduler", "SweepTarget"]
