"""FastAPI dependencies for inventory's own adapters, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pacbot.common.search import AssetSearch
from pacbot.inventory.discovery import Discovery, SweepPlanner


def get_search(request: Request) -> AssetSearch:
    """The asset search backend the lifespan started."""
    search: AssetSearch = request.app.state.search
    return search


def get_discovery(request: Request) -> Discovery:
    """The sweep runner shared with the scheduler."""
    discovery: Discovery = request.app.state.discovery
    return discovery


def get_planner(request: Request) -> SweepPlanner:
    """The planner that turns scan requests into sweep targets."""
    planner: SweepPlanner = request.app.state.planner
    return planner


Search = Annotated[AssetSearch, Depends(get_search)]
AppDiscovery = Annotated[Discovery, Depends(get_discovery)]
Planner = Annotated[SweepPlanner, Depends(get_planner)]
