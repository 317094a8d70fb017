"""Checks that ask the owners: the assessor knows the policies, the inventory the resource types."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from pacbot.common.events import ALL_POLICIES, ExceptionCriteria
from pacbot.common.runtime import Runtime
from pacbot.common.web import DomainError
from pacbot.exceptions.grants.validation import ValidRequest, invalid


class PeerUnavailable(DomainError):
    """A service this check depends on cannot answer now; the request can be retried."""

    status_code = 503


async def _get(
    client: httpx.AsyncClient, peer: str, path: str, params: list[tuple[str, str]] | None = None
) -> httpx.Response:
    try:
        response = await client.get(path, params=tuple(params or ()))
    except httpx.TransportError as exc:
        raise PeerUnavailable(
            f"the {peer} service is unreachable ({type(exc).__name__}); try again later"
        ) from exc
    if response.status_code >= 500:
        raise PeerUnavailable(f"the {peer} service failed with {response.status_code}")
    return response


async def peer_get(
    client: httpx.AsyncClient, peer: str, path: str, params: list[tuple[str, str]]
) -> dict[str, Any]:
    """A peer's JSON answer to a listing; anything but 200 means it cannot answer now (503)."""
    response = await _get(client, peer, path, params)
    if response.status_code != 200:
        raise PeerUnavailable(f"the {peer} service answered {response.status_code} to GET {path}")
    body: dict[str, Any] = response.json()
    return body


async def policy_resources(runtime: Runtime, policy_ids: list[str]) -> dict[str, str]:
    """The resource type of each named policy; an unknown id is a 422 on ``policy_ids``."""
    client = runtime.service("assessor")
    resources: dict[str, str] = {}
    for policy_id in policy_ids:
        if policy_id == ALL_POLICIES:
            continue
        response = await _get(client, "assessor", f"/policies/{quote(policy_id, safe='')}")
        if response.status_code == 404:
            raise invalid(
                f"policy_ids: no policy {policy_id!r} is known to the assessor", "policy_ids"
            )
        if response.status_code != 200:
            raise PeerUnavailable(f"the assessor answered {response.status_code} for {policy_id!r}")
        body: dict[str, Any] = response.json()
        resources[policy_id] = str(body.get("resource", ""))
    return resources


async def known_resource_types(runtime: Runtime) -> set[str]:
    """Every resource type the inventory discovers (its connector registry)."""
    body = await peer_get(runtime.service("inventory"), "inventory", "/resources", [])
    items: list[dict[str, Any]] = body.get("items", [])
    return {str(item["resource_type"]) for item in items if "resource_type" in item}


def _check_criteria_types(
    criteria: ExceptionCriteria, known: set[str], resources: dict[str, str]
) -> None:
    unknown = [t for t in criteria.resource_types if t not in known]
    if unknown:
        field = "criteria.resource_types"
        raise invalid(
            f"{field}: {unknown[0]!r} is not a resource type the inventory discovers", field
        )
    wanted = set(criteria.resource_types)
    for policy_id, resource in resources.items():
        if resource not in wanted:
            raise invalid(
                f"policy_ids: policy {policy_id!r} judges {resource}, which "
                f"criteria.resource_types ({', '.join(sorted(wanted))}) excludes; "
                "the exception could never cover it",
                "policy_ids",
            )


async def check_with_peers(runtime: Runtime, request: ValidRequest) -> None:
    """Policies exist, and a sticky exception's criteria can match what its policies judge."""
    resources = await policy_resources(runtime, request.policy_ids)
    criteria = request.criteria
    if criteria is not None and criteria.resource_types:
        _check_criteria_types(criteria, await known_resource_types(runtime), resources)
