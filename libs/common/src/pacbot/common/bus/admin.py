"""Kafka administration PacBot needs beyond aiokafka's admin client: ACLs and SCRAM users.

aiokafka ships the CreateAcls/DeleteAcls request classes but no admin methods for them, and no
AlterUserScramCredentials (KIP-554) at all; both are small requests sent to any broker, which
forwards them to the KRaft controller. Topics go through aiokafka's own admin client.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, TypeAlias

from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from pacbot.common.bus._security import KafkaSecurity
from pacbot.common.events import (
    COMPACTED_TOPICS,
    INTAKE_DEAD_LETTERS,
    TOPIC_CONSUMERS,
    TOPIC_PRODUCERS,
    TOPICS,
    dead_letter_topic,
)

SCRAM_ITERATIONS = 8192
_SCRAM = {"SCRAM-SHA-256": (1, "sha256"), "SCRAM-SHA-512": (2, "sha512")}


class ResourceType(IntEnum):
    """Kafka's ACL resource types (the wire values)."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4


class PatternType(IntEnum):
    """How an ACL's resource name matches."""

    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """ACL operations PacBot grants."""

    READ = 3
    WRITE = 4
    DESCRIBE = 8


_ALLOW = 3
_DESC = Operation.DESCRIBE
_ANY_HOST = "*"


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW binding: ``principal`` may ``operation`` on a resource, from any host."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    operation: Operation
    pattern: PatternType = PatternType.LITERAL

    def binding(self) -> tuple[int, str, int, str, str, int, int]:
        """The fields of a CreateAcls creation (or an exact DeleteAcls filter)."""
        return (
            self.resource_type,
            self.resource_name,
            self.pattern,
            self.principal,
            _ANY_HOST,
            self.operation,
            _ALLOW,
        )


class KafkaAdminError(RuntimeError):
    """The broker refused an administrative request; the message carries its error."""


class _AlterScramResponse(Response):  # type: ignore[misc]
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user_name", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScramStruct(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = _AlterScramResponse
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields)
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


_Row: TypeAlias = tuple[Any, ...]


class _AlterScram(Request[_AlterScramStruct]):  # type: ignore[misc]
    API_KEY: ClassVar[int] = 51

    def __init__(self, deletions: list[_Row], upsertions: list[_Row]) -> None:
        self._deletions = deletions
        self._upsertions = upsertions

    def build(self, request_struct_class: type[_AlterScramStruct]) -> _AlterScramStruct:
        return request_struct_class(self._deletions, self._upsertions, {})


def _scram_mechanism(mechanism: str) -> tuple[int, str]:
    try:
        return _SCRAM[mechanism]
    except KeyError:
        raise ValueError(f"SCRAM mechanism must be one of {sorted(_SCRAM)}") from None


class KafkaAdmin:
    """Topics, ACLs and SCRAM users over one admin connection (``async with KafkaAdmin(...)``)."""

    def __init__(
        self, bootstrap_servers: str, security: KafkaSecurity | None = None, *, timeout: float = 30
    ) -> None:
        self._kwargs: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "client_id": "pacbot-admin",
            "request_timeout_ms": int(timeout * 1000),
            **(security or KafkaSecurity()).client_kwargs(),
        }
        self._client: AIOKafkaClient | None = None

    async def __aenter__(self) -> KafkaAdmin:
        self._client = AIOKafkaClient(**self._kwargs)
        await self._client.bootstrap()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _send(self, request: Request[Any]) -> Any:
        if self._client is None:
            raise RuntimeError("KafkaAdmin used outside `async with`")
        node = self._client.get_random_node()
        return await self._client.send(node, request)

    @contextlib.asynccontextmanager
    async def _topic_admin(self) -> AsyncIterator[AIOKafkaAdminClient]:
        admin = AIOKafkaAdminClient(**self._kwargs)
        await admin.start()
        try:
            yield admin
        finally:
            await admin.close()

    async def create_topics(
        self, topics: Iterable[str], *, partitions: int, replication_factor: int
    ) -> list[str]:
        """Create the topics that do not exist yet (compacted where the contract says); the
        names created."""
        async with self._topic_admin() as admin:
            existing = set(await admin.list_topics())
            wanted = [t for t in dict.fromkeys(topics) if t not in existing]
            for topic in wanted:  # one by one: a topic made meanwhile fails only itself
                new = NewTopic(
                    name=topic,
                    num_partitions=partitions,
                    replication_factor=replication_factor,
                    topic_configs={"cleanup.policy": "compact"}
                    if topic in COMPACTED_TOPICS
                    else {},
                )
                with contextlib.suppress(TopicAlreadyExistsError):
                    response = await admin.create_topics([new])
                    _raise_topic_errors(response)
        return wanted

    async def create_acls(self, acls: Sequence[Acl]) -> None:
        """Create ALLOW bindings (creating one that exists changes nothing)."""
        for acl in acls:
            response = await self._send(CreateAclsRequest(*acl.binding()))
            for error_code, message in response.creation_responses:
                if error_code:
                    raise KafkaAdminError(f"creating {acl}: error {error_code}: {message}")

    async def delete_acls(self, acls: Sequence[Acl]) -> None:
        """Delete exactly these bindings."""
        for acl in acls:
            response = await self._send(DeleteAclsRequest(*acl.binding()))
            for error_code, message, _matches in response.filter_responses:
                if error_code:
                    raise KafkaAdminError(f"deleting {acl}: error {error_code}: {message}")

    async def upsert_scram_user(
        self, user: str, password: str, mechanism: str = "SCRAM-SHA-512"
    ) -> None:
        """Create or re-key a SCRAM user; only a salted hash leaves this process."""
        code, digest = _scram_mechanism(mechanism)
        salt = secrets.token_bytes(32)
        salted = hashlib.pbkdf2_hmac(digest, password.encode(), salt, SCRAM_ITERATIONS)
        await self._alter_scram([], [(user, code, SCRAM_ITERATIONS, salt, salted, {})])

    async def delete_scram_user(self, user: str, mechanism: str = "SCRAM-SHA-512") -> None:
        """Remove a SCRAM user's credential for ``mechanism``."""
        code, _ = _scram_mechanism(mechanism)
        await self._alter_scram([(user, code, {})], [])

    async def _alter_scram(self, deletions: list[_Row], upsertions: list[_Row]) -> None:
        response = await self._send(_AlterScram(deletions, upsertions))
        for user, error_code, message, _tags in response.results:
            if error_code:
                raise KafkaAdminError(f"SCRAM user {user}: error {error_code}: {message}")


def _raise_topic_errors(response: Any) -> None:
    for row in getattr(response, "topic_errors", ()):
        topic, error_code = row[0], row[1]
        if error_code and error_code != TopicAlreadyExistsError.errno:
            raise KafkaAdminError(f"creating topic {topic}: error {error_code}: {row[2:]}")


def service_principal(service: str) -> str:
    """The Kafka principal of a service: ``User:pacbot-<service>``."""
    return f"User:pacbot-{service}"


def service_acls(service: str, *, principal: str | None = None) -> list[Acl]:
    """What the event contract lets ``service`` do: write the topics it produces, read those it
    consumes with consumer groups named after it, and dead-letter what it cannot handle."""
    who = principal or service_principal(service)
    acls: set[Acl] = set()
    for topic, producer in TOPIC_PRODUCERS.items():
        if producer == service:
            acls |= {Acl(who, ResourceType.TOPIC, topic, op) for op in (Operation.WRITE, _DESC)}
    for dlq, writer in INTAKE_DEAD_LETTERS.items():
        if writer == service:
            acls |= {Acl(who, ResourceType.TOPIC, dlq, op) for op in (Operation.WRITE, _DESC)}
    for topic, consumers in TOPIC_CONSUMERS.items():
        if service in consumers:
            acls |= {Acl(who, ResourceType.TOPIC, topic, op) for op in (Operation.READ, _DESC)}
            dlq = dead_letter_topic(topic)
            acls |= {Acl(who, ResourceType.TOPIC, dlq, op) for op in (Operation.WRITE, _DESC)}
            acls.add(Acl(who, ResourceType.GROUP, service, Operation.READ, PatternType.PREFIXED))
    return sorted(acls)


def contract_topics() -> list[str]:
    """Every topic of the event contract and its dead-letter topic."""
    names = [name for topic in TOPICS for name in (topic, dead_letter_topic(topic))]
    return names + sorted(INTAKE_DEAD_LETTERS)
