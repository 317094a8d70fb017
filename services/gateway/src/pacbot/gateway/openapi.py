"""What the gateway's OpenAPI document says about credentials and errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from pacbot.common.webguards import problem_content
from pacbot.gateway.access import ACCESS
from pacbot.gateway.examples import add_examples

ERRORS = {
    "401": "No valid credential",
    "403": "The credential's roles or scope do not allow this call",
    "429": "Too many calls from this key or subject (see Retry-After)",
    "502": "The service behind this route failed",
    "503": "The service behind this route is unreachable",
}


def document_security(app: FastAPI, *, oidc_issuer: str | None) -> None:
    """Declare the security schemes, require them on every route but sign-in, document errors
    and an example call of every route."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schemes: dict[str, Any] = {
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key (pbk_...) from `pacbot-gateway admin create-key` "
                "or POST /api/v1/keys",
            },
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "pacbot_session",
                "description": "A dashboard session from POST /api/v1/session; mutating calls "
                "also need the X-CSRF-Token header",
            },
        }
        if oidc_issuer:
            schemes["oidc"] = {
                "type": "openIdConnect",
                "openIdConnectUrl": f"{oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
            }
        spec.setdefault("components", {})["securitySchemes"] = schemes
        every: list[dict[str, list[str]]] = [{name: []} for name in schemes]
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                rule = ACCESS.get((method.upper(), path))
                if not path.startswith("/api/"):
                    continue
                operation["security"] = [] if rule is not None and rule.public else every
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses.setdefault(
                        status, {"description": description, "content": problem_content()}
                    )
        add_examples(spec)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
