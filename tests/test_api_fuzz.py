"""Schemathesis against the gateway's own OpenAPI document, authenticated as admin.

The whole of PacBot runs embedded behind a real HTTP server on 127.0.0.1 (the six services, their
databases, the in-process bus, the dev stack's moto for AWS). For every operation a few generated
requests (valid and invalid) go through the front door; no answer may be a server error, and no
answer may break the schema the document declares for it (status, content type, body).
Bounded: ``MAX_EXAMPLES`` per operation; operations that reach out to AWS for minutes are left to
the end-to-end tests.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from pacbot.cli.devstack import StackInfo
from pacbot.cli.embedded import EmbeddedOptions, EmbeddedPacBot

MAX_EXAMPLES = 10
# Each would sweep or call AWS for minutes per example (discovery of every type, Organizations).
SLOW = ("/api/v1/scans", "/api/v1/accounts/organization", "/api/v1/accounts/{account_id}/validate")


@dataclass
class Served:
    """The embedded PacBot behind a real HTTP server, and an admin key for it."""

    url: str
    admin_key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(stack: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Run the embedded stack and serve its gateway on 127.0.0.1 from a thread of its own."""
    port = _free_port()
    ready = threading.Event()
    found: dict[str, Any] = {}
    stop = threading.Event()

    async def main() -> None:
        options = EmbeddedOptions(
            data_dir=tmp_path_factory.mktemp("fuzz"),
            aws_endpoint_url=stack.moto_url,
            extra={"gateway": {"rate_limit_per_minute": 1_000_000}},
        )
        async with EmbeddedPacBot(options) as pacbot:
            found["key"] = await pacbot.issue_key("admin", subject="fuzz-admin@x")
            config = uvicorn.Config(
                pacbot.apps["gateway"],
                host="127.0.0.1",
                port=port,
                log_config=None,
                lifespan="off",
            )
            server = uvicorn.Server(config)
            serving = asyncio.create_task(server.serve())
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
                await asyncio.sleep(0.05)
            ready.set()
            await asyncio.to_thread(stop.wait)
            server.should_exit = True
            await serving

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            found["error"] = exc
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(120), "the embedded stack did not start"
    if "error" in found:
        raise found["error"]
    yield Served(f"http://127.0.0.1:{port}", found["key"])
    stop.set()
    thread.join(timeout=60)


def test_no_server_error_and_no_broken_schema(served: Served) -> None:
    """A few generated calls per operation; every failure is collected, then reported."""
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.admin_key}"}
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures: dict[str, str] = {}
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
            case.call_and_validate(headers=headers, timeout=60, checks=checks)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # kept per operation, reported together
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]
    assert operations >= 45
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
