"""HTTP between the services: pooled connections that a peer closing them cannot turn into errors.

A server closes a connection that stayed idle past its keep-alive; a client that picks that
connection from its pool at the same moment sends its request into a closed socket and gets a
``ReadError`` or ``RemoteProtocolError`` with no answer at all. With uvicorn's and httpx's
defaults both sides wait 5 s, so a peer called about every 5 s failed now and then (a dashboard
card answered 502 in CI this way). Two rules remove it:

- the services' own servers keep an idle connection for :data:`SERVER_KEEP_ALIVE_SECONDS`, and
  the clients drop theirs after :data:`CLIENT_KEEP_ALIVE_SECONDS`, well before;
- anything else that closes a pooled connection (a proxy, a restarted pod) costs a read one
  more try: a ``GET``, ``HEAD`` or ``OPTIONS`` that failed that way is sent once more, on a new
  connection. Writes are never sent twice: the peer may have applied one before closing.
"""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger("pacbot.peers")

SERVER_KEEP_ALIVE_SECONDS = 20
"""How long a service's own server keeps an idle connection (uvicorn's ``timeout_keep_alive``)."""
CLIENT_KEEP_ALIVE_SECONDS = 4.0
"""How long a service keeps an idle connection to a peer in its pool: shorter than the server's."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CLOSED_UNDER_US = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""What a request sent on a connection the peer had already closed fails with."""


class ReadRetryingTransport(httpx.AsyncBaseTransport):
    """Sends a safe request once more when its connection turned out to be closed."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        except CLOSED_UNDER_US as exc:
            if request.method not in SAFE_METHODS:
                raise
            log.info(
                "%s %s: the connection closed under the request (%s); sent once more",
                request.method,
                request.url.path,
                type(exc).__name__,
            )
            return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def peer_transport() -> httpx.AsyncBaseTransport:
    """The network transport for calls to a peer service."""
    limits = httpx.Limits(keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS)
    return ReadRetryingTransport(httpx.AsyncHTTPTransport(limits=limits))
