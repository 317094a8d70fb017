"""Calls to peers survive a pooled connection the peer closed: against a real socket server that
answers the first request of each connection and closes the connection on the second, unanswered,
as a server does whose keep-alive ran out just as the request left."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI, Request

from pacbot.common.peers import (
    CLIENT_KEEP_ALIVE_SECONDS,
    SERVER_KEEP_ALIVE_SECONDS,
    peer_transport,
)
from pacbot.common.testing import served

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"


@asynccontextmanager
async def one_answer_per_connection() -> AsyncIterator[tuple[str, list[str]]]:
    """A server that answers a connection's first request and drops the connection on its next."""
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered = False
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                seen.append(head.split(b" ", 2)[0].decode())
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if answered:
                    break  # closed without an answer
                writer.write(ANSWER)
                await writer.drain()
                answered = True
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()
        await server.wait_closed()


def peer_client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, transport=peer_transport())


async def test_a_read_on_a_connection_the_peer_closed_is_sent_once_more() -> None:
    async with one_answer_per_connection() as (url, seen), peer_client(url) as client:
        assert (await client.get("/groups")).text == "ok"
        again = await client.get("/groups")  # the pooled connection: closed, then a new one
        assert again.status_code == 200
        assert again.text == "ok"
    assert seen == ["GET", "GET", "GET"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_a_write_is_never_sent_twice(method: str) -> None:
    async with one_answer_per_connection() as (url, seen), peer_client(url) as client:
        assert (await client.get("/groups")).text == "ok"
        with pytest.raises(httpx.TransportError):
            await client.request(method, "/groups", json={"name": "production"})
    assert seen == ["GET", method]


async def test_without_it_the_same_read_fails() -> None:
    """The server above really does cut the second request off (this guards the two above)."""
    async with one_answer_per_connection() as (url, _seen), httpx.AsyncClient(base_url=url) as c:
        assert (await c.get("/groups")).text == "ok"
        with pytest.raises(httpx.TransportError):
            await c.get("/groups")


async def test_a_peer_drops_idle_connections_before_the_service_server_closes_them() -> None:
    """Against uvicorn with the services' keep-alive: an idle pooled connection is not reused
    after the client's expiry, so no request goes out on one the server is about to close."""
    assert CLIENT_KEEP_ALIVE_SECONDS < SERVER_KEEP_ALIVE_SECONDS
    connections: set[tuple[str, int]] = set()
    app = FastAPI()

    @app.get("/")
    async def answer(request: Request) -> str:
        assert request.client is not None
        connections.add((request.client.host, request.client.port))
        return "ok"

    async with served(app) as url, peer_client(url) as client:
        await client.get("/")
        await client.get("/")
        assert len(connections) == 1  # reused while fresh
        await asyncio.sleep(CLIENT_KEEP_ALIVE_SECONDS + 0.3)
        await client.get("/")
        assert len(connections) == 2  # an idle one is dropped by the client, not the server
