"""Serving the embedded gateway (the API and the dashboard) on 127.0.0.1 until told to stop."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

DEFAULT_PORT = 8400
HOST = "127.0.0.1"


def listen(port: int | None) -> socket.socket:
    """A listening socket on ``port``; with none given, 8400 or else any free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, DEFAULT_PORT if port is None else port))
    except OSError as exc:
        if port is not None or exc.errno != errno.EADDRINUSE:
            sock.close()
            raise RuntimeError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
        sock.bind((HOST, 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def login_link(url: str, token: str) -> str:
    """The dashboard's sign-in link: it signs in with the key and drops it from the address."""
    return f"{url}/#/login?key={token}"


@asynccontextmanager
async def serving(app: FastAPI, sock: socket.socket) -> AsyncIterator[str]:
    """uvicorn serving ``app`` (whose lifespan is already running) on ``sock``; yields its URL.

    The server is started and stopped here rather than with ``serve()``, which would install its
    own signal handlers and raise the signal again once stopped; the demo handles the signals.
    """
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=3
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    ticking = asyncio.create_task(server.main_loop())
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await ticking
        await server.shutdown(sockets=[sock])
