"""OpenSearch credentials reach the cluster: the dev stack's OpenSearch has no security plugin, so a
proxy in front of it demands HTTP basic auth, as a secured cluster does."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from opensearchpy.exceptions import AuthenticationException
from pydantic import SecretStr

from pacbot.cli.devstack import StackInfo
from pacbot.common.search import OpenSearchAssets
from pacbot.common.testing import serving_http

pytestmark = pytest.mark.real
USER, PASSWORD = "pacbot-inventory", "os-password-93c1"


def guarded(upstream: str) -> type[BaseHTTPRequestHandler]:
    """A handler that answers 401 without the right credentials, else relays to ``upstream``."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Guard(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            if self.headers.get("Authorization") != expected:
                self._answer(401, b'{"error":"unauthorized","status":401}', "application/json")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            kind = {"Content-Type": self.headers.get("Content-Type", "application/json")}
            answer = httpx.request(
                self.command, upstream + self.path, content=body, headers=kind, timeout=30
            )
            self._answer(answer.status_code, answer.content, answer.headers.get("content-type", ""))

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        def log_message(self, format: str, *args: object) -> None:
            return

    return Guard


@pytest.fixture
def proxy(stack: StackInfo) -> Iterator[str]:
    """The dev stack's OpenSearch behind basic auth, on a free loopback port."""
    with serving_http(guarded(stack.opensearch_url)) as url:
        yield url


async def test_credentials_open_the_cluster(proxy: str, unique: str) -> None:
    search = OpenSearchAssets(
        proxy, alias=f"test-auth-{unique}", username=USER, password=SecretStr(PASSWORD)
    )
    await search.start()
    try:
        assert await search.ping()
    finally:
        await search._client().indices.delete(index=f"test-auth-{unique}-*", ignore=[404])
        await search.stop()


async def test_a_wrong_password_is_refused(proxy: str, unique: str) -> None:
    search = OpenSearchAssets(
        proxy, alias=f"test-auth-{unique}", username=USER, password=SecretStr("wrong")
    )
    with pytest.raises(AuthenticationException):
        await search.start()
    await search.stop()
    assert PASSWORD not in repr(search.__dict__)
