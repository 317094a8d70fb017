"""Which handler failures are an outage of something the handler needs, not a bad message.

A consumer dead-letters a message its handler keeps failing on, so that one poison message
cannot stop a partition. That is right for a message the handler cannot apply (it does not
validate, it breaks an invariant), and wrong for a message that failed because PostgreSQL was
restarting or a peer service was unreachable: dead-lettering it then loses a perfectly good
event. :func:`is_transient` tells the two apart, so the delivery waits such an outage out
instead (see ``Delivery``) and applies the message once the dependency is back.
"""

from __future__ import annotations

import errno
import socket

import asyncpg
import httpx
import sqlalchemy.exc
from aiokafka.errors import KafkaError
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as AwsConnectionError

_SOCKET_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EPIPE,
        errno.ETIMEDOUT,
    }
)

_ALWAYS_TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    # PostgreSQL: cannot connect, connection lost, shutting down or starting up (class 08, 57),
    # out of connections or resources (class 53), serialization failure or deadlock (class 40)
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection came free in time
    sqlalchemy.exc.OperationalError,  # the DB-API's class for a lost or refused database
    httpx.TransportError,  # a peer service or OpenSearch unreachable
    AwsConnectionError,  # botocore: the endpoint unreachable
    HTTPClientError,  # botocore: connection closed, read timeout
)

_AWS_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "SlowDown",
    }
)


def _transient_one(exc: BaseException) -> bool:
    # imported here: the search package reaches the bus through the database module
    from pacbot.common.search import SearchUnavailable

    if isinstance(exc, (*_ALWAYS_TRANSIENT, SearchUnavailable)):
        return True
    if isinstance(exc, OSError) and exc.errno in _SOCKET_ERRNOS:
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in (502, 503, 504)
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in _AWS_THROTTLING
    return False


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from, says a dependency is unavailable for
    now (a connection refused or lost, a timeout, a database shutting down or out of
    connections, a peer answering 502/503/504, AWS throttling) rather than that the work
    itself cannot be done."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen or len(seen) > 16:
            continue
        seen.add(id(current))
        if _transient_one(current):
            return True
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None)]
    return False
