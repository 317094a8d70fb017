"""Routes of the dashboard: ``/`` (the page) and ``/ui/<version>/<file>`` (its assets).

They need no credential (the page has nothing but code; every figure comes from ``/api/v1``,
which the gate guards) and answer with strict headers: a Content-Security-Policy that allows
only this origin (no inline script or style, no framing), no MIME sniffing, no referrer.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from pacbot.common.problems import problem
from pacbot.gateway.dashboard.site import Site

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def dashboard_router(site: Site) -> APIRouter:
    """The routes serving ``site`` (left out of the OpenAPI document: they are not the API)."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/", methods=["GET", "HEAD"])
    async def index() -> Response:
        """The dashboard page; revalidated on every load, so a release is picked up at once."""
        return _answer(site.index, "text/html; charset=utf-8", REVALIDATE)

    @router.api_route("/ui/{version}/{name:path}", methods=["GET", "HEAD"])
    async def asset(version: str, name: str) -> Response:
        """A file of this release; another release's URL is a 404 (never cached as this one)."""
        found = site.assets.get(name) if version == site.version else None
        if found is None:
            headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
            return problem(404, "NotFound", "no such dashboard file", headers=headers)
        return _answer(found.body, found.content_type, FOREVER)

    return router


def _answer(body: bytes, content_type: str, cache: str) -> Response:
    return Response(
        body,
        media_type=content_type,
        headers={**SECURITY_HEADERS, "Cache-Control": cache},
    )
