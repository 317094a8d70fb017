"""Which handler failures a consumer waits out (a dependency's outage) and which it counts
against the message (and finally dead-letters)."""

from __future__ import annotations

import errno

import asyncpg
import httpx
import pytest
import sqlalchemy.exc
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from botocore.exceptions import ClientError, EndpointConnectionError
from pydantic import BaseModel, ValidationError

from pacbot.common.bus._transient import is_transient
from pacbot.common.search import SearchUnavailable


def _status(code: int) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "http://127.0.0.1:8001/assets")
    return httpx.HTTPStatusError("peer", request=request, response=httpx.Response(code))


def _aws(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "PutBucketAcl")


def _validation_error() -> ValidationError:
    class Model(BaseModel):
        n: int

    try:
        Model.model_validate({"n": "not a number"})
    except ValidationError as exc:
        return exc
    raise AssertionError("validated")


def _raised_from(cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("the handler gave up") from inner
    except RuntimeError as outer:
        return outer


def _wrapped_by_sqlalchemy(orig: Exception) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError("select 1", {}, orig)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        ConnectionResetError(errno.ECONNRESET, "reset by peer"),
        TimeoutError(),
        OSError(errno.EHOSTUNREACH, "no route to host"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        sqlalchemy.exc.OperationalError("select 1", {}, Exception("server closed")),
        sqlalchemy.exc.TimeoutError("QueuePool limit reached"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        _status(503),
        _status(502),
        SearchUnavailable("OpenSearch is unreachable"),
        KafkaConnectionError(),
        EndpointConnectionError(endpoint_url="https://s3.amazonaws.com"),
        _aws("Throttling"),
        _aws("RequestLimitExceeded"),
        _raised_from(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
        _wrapped_by_sqlalchemy(asyncpg.exceptions.CannotConnectNowError("starting up")),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_an_outage_of_a_dependency_is_transient(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("poison"),
        ValueError("not an asset"),
        KeyError("asset"),
        _validation_error(),
        FileNotFoundError(errno.ENOENT, "no such file"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.NotNullViolationError("null value"),
        sqlalchemy.exc.IntegrityError("insert", {}, Exception("duplicate key")),
        _status(400),
        _status(404),
        _status(500),
        MessageSizeTooLargeError(),
        _aws("AccessDenied"),
        _aws("NoSuchBucket"),
        _raised_from(ValueError("bad payload")),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_a_failure_of_the_work_itself_is_not_transient(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_a_cycle_of_causes_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not is_transient(first)
