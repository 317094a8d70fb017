"""The compliance dashboard: static files the gateway serves at ``/`` and ``/ui/<version>/``.

The dashboard is plain ES modules, CSS and inline SVG (no build step, nothing from another
origin) that call the public ``/api/v1`` with the browser session, like any other client.
"""

from pacbot.gateway.dashboard.routes import dashboard_router
from pacbot.gateway.dashboard.site import Site

__all__ = ["Site", "dashboard_router"]
