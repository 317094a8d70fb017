"""``authorize``: authenticate, rate-limit and check the access table for every public route.

It is a dependency of every ``/api/v1`` router, so no public route is open by default: a route
missing from ``ACCESS`` is refused to everyone. It also narrows scoped and owner-only callers
(``narrow_query``, ``visible``) as the table says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Request

from pacbot.common.auth import Principal
from pacbot.common.auth._verify import Forbidden
from pacbot.common.web import DomainError
from pacbot.gateway.access import ACCESS, Rule, owner_only
from pacbot.gateway.auth.gate import Gate
from pacbot.gateway.auth.ratelimit import RateLimiter, retry_after

OWNER_TAG_KEYS = ("Owner", "owner")
CONVERTER = re.compile(r"\{(\w+):\w+\}")


class RateLimited(DomainError):
    """Too many calls from one key or subject: 429 with ``Retry-After``."""

    status_code = 429

    def __init__(self, wait: float) -> None:
        super().__init__(f"too many calls; retry after {retry_after(wait)} s")
        self.retry_after = retry_after(wait)


def rule_of(request: Request) -> Rule:
    """The access rule of the route this request matched; 403 when it has none."""
    path = rule_path(request)
    rule = ACCESS.get((request.method, path))
    if rule is None:
        raise Forbidden(f"{request.method} {path} is not in the access table; nobody may call it")
    return rule


async def authorize(request: Request) -> Principal | None:
    """The authenticated caller, allowed by the access table (401/403/429 otherwise)."""
    rule = rule_of(request)
    if rule.public:
        return None
    gate: Gate = request.app.state.gate
    principal = await gate.authenticate(request)
    request.state.principal = principal
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.take(principal.credential or principal.subject)
    if wait:
        raise RateLimited(wait)
    if not principal.has_any(rule.roles | {"admin"}):
        raise Forbidden(
            f"{principal.subject} holds {sorted(principal.roles) or 'no role'}; "
            f"{request.method} {rule_path(request)} needs one of {sorted(rule.roles)}"
        )
    if narrowed(principal) and rule.narrowing == "refuse":
        raise Forbidden(
            f"{principal.subject} sees only part of the estate (scope or owner role); "
            f"{request.method} {rule_path(request)} cannot be narrowed to it"
        )
    if narrowed(principal) and rule.narrowing == "group":
        _group_route(principal, str(request.path_params.get("name", "")))
    return principal


def _group_route(principal: Principal, name: str) -> None:
    """An asset group route is open to a narrowed caller only for a group it is scoped to."""
    if principal.asset_groups is None or name not in principal.asset_groups:
        raise Forbidden(f"{principal.subject} may read only the asset groups it is scoped to")
    if principal.accounts is not None or owner_only(principal.roles):
        raise Forbidden(f"{principal.subject} is also scoped otherwise; group routes are refused")


def rule_path(request: Request) -> str:
    """The route template a request matched, as OpenAPI writes it (``{asset_id}``)."""
    template = str(getattr(request.scope.get("route"), "path", request.url.path))
    return CONVERTER.sub(r"{\1}", template)


def narrowed(principal: Principal) -> bool:
    """True when the caller sees only part of the estate."""
    return principal.scoped or owner_only(principal.roles)


Caller = Annotated[Principal | None, Depends(authorize)]


def narrow_query(
    principal: Principal, rule: Rule, params: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``params`` with the caller's scope added as filters (403 for a filter outside it)."""
    result = list(params)
    if rule.narrowing != "query":
        return result
    if principal.asset_groups is not None:
        result = _group_filter(principal, rule, result)
    if principal.accounts is not None:
        result = _within(result, "account_id", principal.accounts, principal.subject)
    if owner_only(principal.roles):
        if rule.owner_param is None:
            raise Forbidden(f"{principal.subject} holds the owner role; this route is not theirs")
        if rule.owner_param.startswith("tag:"):
            result = _owner_tag(result, rule.owner_param[4:], principal)
        else:
            result = _within(result, rule.owner_param, principal.owner_names, principal.subject)
    return result


def _owner_tag(
    params: list[tuple[str, str]], tag_key: str, principal: Principal
) -> list[tuple[str, str]]:
    """Owner tag filters (``tag=Owner=alice``) within the caller's names; all of them if none."""
    prefix = f"{tag_key}="
    given = [v[len(prefix) :] for k, v in params if k == "tag" and v.startswith(prefix)]
    outside = [value for value in given if value not in principal.owner_names]
    if outside:
        raise Forbidden(f"tag {tag_key}={outside[0]} is outside what {principal.subject} may see")
    if given:
        return params
    return params + [("tag", prefix + name) for name in sorted(principal.owner_names)]


def _group_filter(
    principal: Principal, rule: Rule, params: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """A group-scoped caller must name one of its groups where the route takes a group."""
    assert principal.asset_groups is not None
    if rule.group_param is None:
        raise Forbidden(
            f"{principal.subject} is scoped to asset groups; this route cannot be narrowed to one"
        )
    given = [value for key, value in params if key == rule.group_param]
    if not given and len(principal.asset_groups) == 1:
        return [*params, (rule.group_param, next(iter(principal.asset_groups)))]
    if len(given) != 1 or given[0] not in principal.asset_groups:
        raise Forbidden(
            f"{principal.subject} is scoped to asset groups {sorted(principal.asset_groups)}; "
            f"name one of them with {rule.group_param}="
        )
    return params


def _within(
    params: list[tuple[str, str]], name: str, allowed: frozenset[str], subject: str
) -> list[tuple[str, str]]:
    given = [value for key, value in params if key == name]
    outside = [value for value in given if value not in allowed]
    if outside:
        raise Forbidden(f"{name}={outside[0]} is outside what {subject} may see")
    if given:
        return params
    if not allowed:
        raise Forbidden(f"{subject} may see no {name} at all")
    return params + [(name, value) for value in sorted(allowed)]


def visible(principal: Principal, item: Any) -> bool:
    """Whether a narrowed caller may see one answer item (an asset, violation, plan, account)."""
    if not isinstance(item, dict):
        return False
    if principal.asset_groups is not None:
        return False
    if principal.accounts is not None and item.get("account_id") not in principal.accounts:
        return False
    if owner_only(principal.roles):
        tags = item.get("tags") or {}
        owner = item.get("owner") or next((tags[k] for k in OWNER_TAG_KEYS if k in tags), None)
        return owner in principal.owner_names
    return True
