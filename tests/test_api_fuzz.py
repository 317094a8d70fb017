"""Schemathesis against the gateway's own OpenAPI document, authenticated as admin.

The six services run as their own processes on the real stack (PostgreSQL, Kafka, OpenSearch,
moto), as in production. For every operation a few generated requests (valid and invalid) go
through the front door over HTTP; no answer may be a server error, and no answer may break the
schema the document declares for it (status, content type, body).
Bounded: ``MAX_EXAMPLES`` per operation; operations that reach out to AWS for minutes (a sweep of
every resource type, Organizations) are left to the end-to-end tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from pacbot.cli.devstack import StackInfo
from pacbot.gateway.access import ACCESS
from pacbot.gateway.access import ROLE_ORDER as ROLES
from tests.actors import Identity
from tests.services import (
    SERVICES,
    create_key,
    free_port,
    fresh_database,
    running_services,
    service_env,
)

pytestmark = [pytest.mark.real]

MAX_EXAMPLES = 10
SLOW = ("/api/v1/scans", "/api/v1/accounts/organization", "/api/v1/accounts/{account_id}/validate")
DATABASE = "pacbot_fuzz"


@dataclass
class Served:
    """The gateway of the running processes, and an admin key for it."""

    url: str
    admin_key: str
    keys: dict[str, str]
    """One key per role."""


@pytest.fixture(scope="module")
def served(stack: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The six processes on a database of their own; the first key made by the operator."""
    asyncio.run(fresh_database(stack, DATABASE))
    ports = {name: free_port() for name in SERVICES}
    env = service_env(
        stack,
        DATABASE,
        ports,
        {
            "PACBOT_GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000",
            "PACBOT_INVENTORY_REGIONS": '["us-east-1"]',
        },
    )
    with running_services(env, ports, tmp_path_factory.mktemp("fuzz") / "logs") as urls:
        keys = {
            role: create_key(env, Identity(f"{role}@x.example", (role,)), role) for role in ROLES
        }
        yield Served(urls["gateway"], keys["admin"], keys)


def test_no_server_error_and_no_broken_schema(served: Served) -> None:
    """A few generated calls per operation; every failure is collected, then reported."""
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.admin_key}"}
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures: dict[str, str] = {}
    statuses: dict[int, int] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/") or operation.path in SLOW:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def call(case: Any) -> None:
            response = case.call_and_validate(headers=headers, timeout=60, checks=checks)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # kept per operation, reported together
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]
    assert operations >= 45
    print(f"{operations} operations, answers by status: {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= 3 * operations  # it really called them
    assert sum(n for status, n in statuses.items() if status < 300) >= operations  # and got in
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_every_route_times_every_role_on_the_real_stack(served: Served) -> None:
    """The access table holds against the real services too: what it allows is not refused
    further down for want of a role (a service's own 401/403 for who-may), what it refuses is
    refused. Other refusals (an unsigned change event) are about the request, not the role."""
    mismatches = []
    with httpx.Client(base_url=served.url, timeout=120) as http:
        for (method, path), rule in sorted(ACCESS.items()):
            if path in SLOW:
                continue
            url = path.replace("{", "x-").replace("}", "")
            for role in ROLES:
                token = served.keys[role]
                body = {"api_key": token} if path.endswith("/session") else {}
                headers = {"Authorization": f"Bearer {token}"}
                answer = http.request(method, url, json=body, headers=headers)
                refused = answer.status_code in (401, 403) and answer.json().get("error") in (
                    "Unauthenticated",
                    "Forbidden",
                )
                allowed = rule.public or role in rule.roles or role == "admin"
                if allowed == refused:
                    mismatches.append(f"{method} {path} as {role}: {answer.text[:200]}")
    assert not mismatches, "\n".join(mismatches)
