"""The event contract: a CloudEvents 1.0 envelope and a versioned model for every event type."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

ASSETS_TOPIC = "pacbot.assets.v1"
EVALUATIONS_TOPIC = "pacbot.evaluations.v1"
VIOLATIONS_TOPIC = "pacbot.violations.v1"
EXCEPTIONS_TOPIC = "pacbot.exceptions.v1"
AUTOFIX_TOPIC = "pacbot.autofix.v1"
POLICIES_TOPIC = "pacbot.policies.v1"
TOPICS = (
    ASSETS_TOPIC,
    EVALUATIONS_TOPIC,
    VIOLATIONS_TOPIC,
    EXCEPTIONS_TOPIC,
    AUTOFIX_TOPIC,
    POLICIES_TOPIC,
)
COMPACTED_TOPICS = frozenset({ASSETS_TOPIC})
TOPIC_PRODUCERS: dict[str, str] = {
    ASSETS_TOPIC: "inventory",
    EVALUATIONS_TOPIC: "assessor",
    POLICIES_TOPIC: "assessor",
    VIOLATIONS_TOPIC: "violations",
    EXCEPTIONS_TOPIC: "exceptions",
    AUTOFIX_TOPIC: "autofix",
}
"""The one service that writes each topic; its Kafka ACLs let no other write it."""
TOPIC_CONSUMERS: dict[str, frozenset[str]] = {
    ASSETS_TOPIC: frozenset({"assessor", "violations"}),
    EVALUATIONS_TOPIC: frozenset({"violations"}),
    POLICIES_TOPIC: frozenset({"violations"}),
    VIOLATIONS_TOPIC: frozenset({"autofix"}),
    EXCEPTIONS_TOPIC: frozenset({"violations"}),
    AUTOFIX_TOPIC: frozenset({"violations"}),
}
"""The services that read each topic (with their own consumer group, named after them)."""
CHANGES_SOURCE = "pacbot.changes"
"""Not a topic: the inventory's intake of AWS change events (the SQS change queue)."""
INTAKE_DEAD_LETTERS: dict[str, str] = {f"{CHANGES_SOURCE}.dlq": "inventory"}
"""Dead-letter topics of intakes that are not topics, and the one service that writes each."""


def dead_letter_topic(topic: str) -> str:
    """Where messages of ``topic`` that cannot be handled end up."""
    return f"{topic}.dlq"


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the events use."""
    return datetime.now(UTC)


class EventDecodeError(ValueError):
    """A message is not a valid PacBot event; the text says what was wrong."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetSummary(_Data):
    """The part of an asset every downstream event carries."""

    asset_id: str
    account_id: str
    region: str
    resource_type: str
    name: str
    tags: dict[str, str] = Field(default_factory=dict)
    owner: str | None = None


class AssetUpserted(_Data):
    """A new asset, or a changed configuration of a known one."""

    event_type: Literal["pacbot.asset.upserted"] = "pacbot.asset.upserted"
    asset: AssetSummary
    version: int = Field(ge=1, description="Monotonic per asset; bumps on every change")
    config: dict[str, Any]
    config_hash: str
    discovered_at: datetime
    replay: bool = False


class AssetDeleted(_Data):
    """A complete, successful sweep no longer saw the asset."""

    event_type: Literal["pacbot.asset.deleted"] = "pacbot.asset.deleted"
    asset: AssetSummary
    version: int = Field(ge=1)
    deleted_at: datetime


class AutofixSpec(_Data):
    """A policy's automatic fix: which action, and how long the owner gets first."""

    action: str
    grace_seconds: float = Field(ge=0)
    params: dict[str, Any] = Field(default_factory=dict)


class PolicyRef(_Data):
    """What a consumer needs to know about the policy behind a result."""

    policy_id: str
    policy_version: int = 1
    name: str
    severity: Literal["critical", "high", "medium", "low"]
    category: Literal["security", "governance", "cost", "tagging", "operations"]
    autofix: AutofixSpec | None = None
    frameworks: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Compliance frameworks the policy maps to, e.g. {'cis-aws-3.0': ['2.1.4']}",
    )


class PolicyResult(_Data):
    """One policy's verdict on one asset version."""

    policy: PolicyRef
    status: Literal["pass", "fail", "error", "not_applicable"]
    reason: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class AssetEvaluated(_Data):
    """Every enabled policy's result for one asset version."""

    event_type: Literal["pacbot.asset.evaluated"] = "pacbot.asset.evaluated"
    asset: AssetSummary
    asset_version: int = Field(ge=1)
    evaluated_at: datetime
    results: list[PolicyResult]


ViolationEventType = Literal[
    "pacbot.violation.opened",
    "pacbot.violation.exempted",
    "pacbot.violation.reopened",
    "pacbot.violation.closed",
]


class ViolationChanged(_Data):
    """A violation changed state; ``event_type`` says which transition."""

    event_type: ViolationEventType
    violation_id: str
    asset: AssetSummary
    policy: PolicyRef
    status: Literal["open", "exempted", "closed"]
    reason: str
    close_reason: Literal["fixed", "asset_deleted", "policy_disabled", "policy_removed"] | None = (
        None
    )
    exception_id: str | None = None
    asset_version: int
    episode: int = Field(ge=1, description="Bumps every time a closed violation re-opens")
    sequence: int = Field(
        default=1,
        ge=1,
        description="Per violation, +1 on every event of it: a consumer ignores any event whose "
        "sequence is not above the last one it applied for that violation_id",
    )
    occurred_at: datetime


ExceptionEventType = Literal[
    "pacbot.exception.requested",
    "pacbot.exception.granted",
    "pacbot.exception.rejected",
    "pacbot.exception.revoked",
    "pacbot.exception.expiring_soon",
    "pacbot.exception.expired",
]
ALL_POLICIES = "*"


class ExceptionCriteria(_Data):
    """Which assets a sticky exception covers, now and discovered later.

    Every non-empty field must admit the asset: any listed account, region and resource type;
    for each tag key one of its values; any name pattern (shell glob, case-sensitive).
    """

    accounts: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    resource_types: list[str] = Field(default_factory=list)
    tags: dict[str, str | list[str]] = Field(default_factory=dict)
    name_patterns: list[str] = Field(default_factory=list)


class ExceptionChanged(_Data):
    """An exception was requested, granted (approved), rejected, revoked, is expiring soon, or
    expired. Only ``granted`` makes it take effect; ``revoked`` and ``expired`` end it.

    A ``resource`` exception covers ``asset_ids`` and ``policy_ids``; a ``sticky`` one covers every
    asset matching ``criteria`` and ``policy_ids``. ``policy_ids == ["*"]`` means every policy.
    """

    event_type: ExceptionEventType
    exception_id: str
    kind: Literal["resource", "sticky"]
    asset_ids: list[str] = Field(default_factory=list)
    policy_ids: list[str] = Field(default_factory=list)
    criteria: ExceptionCriteria | None = None
    reason: str
    requester: str
    approver: str | None = None
    expires_at: datetime
    occurred_at: datetime


FixEventType = Literal[
    "pacbot.fix.planned",
    "pacbot.fix.notified",
    "pacbot.fix.not_notified",
    "pacbot.fix.escalated",
    "pacbot.fix.reminded",
    "pacbot.fix.held",
    "pacbot.fix.postponed",
    "pacbot.fix.paused",
    "pacbot.fix.resumed",
    "pacbot.fix.backed_up",
    "pacbot.fix.applied",
    "pacbot.fix.skipped",
    "pacbot.fix.failed",
    "pacbot.fix.cancelled",
    "pacbot.fix.rolled_back",
]


class FixChanged(_Data):
    """An autofix plan moved a step. ``notified`` / ``reminded`` are sent only once a notification
    was delivered; ``not_notified`` says it could not be, ``escalated`` that the account's fallback
    address was tried, ``held`` that nobody could be reached and the fix waits for a person.
    ``applied`` with ``dry_run`` true records what would have been called, and changed nothing.
    A ``rollback`` plan (``kind``) restores the backup of the plan ``rollback_of``."""

    event_type: FixEventType
    plan_id: str
    violation_id: str
    asset_id: str
    policy_id: str
    action: str
    dry_run: bool
    detail: str
    occurred_at: datetime
    kind: Literal["fix", "rollback"] = "fix"
    status: str | None = Field(default=None, description="The plan's status after this step")
    account_id: str | None = None
    actor: str | None = Field(
        default=None, description="Who asked for this step (a person or key); null for autofix"
    )
    rollback_of: str | None = None


class PoliciesChanged(_Data):
    """A policy was enabled, disabled or re-parameterised; its resource types need re-assessment."""

    event_type: Literal["pacbot.policies.changed"] = "pacbot.policies.changed"
    policy_ids: list[str]
    resource_types: list[str]
    disabled_policy_ids: list[str] = Field(
        default_factory=list,
        description="Policies now disabled: their live violations close as policy_disabled",
    )
    removed_policy_ids: list[str] = Field(
        default_factory=list,
        description="Policies no longer in any pack: their live violations close as policy_removed",
    )
    occurred_at: datetime


EventData = (
    AssetUpserted
    | AssetDeleted
    | AssetEvaluated
    | ViolationChanged
    | ExceptionChanged
    | FixChanged
    | PoliciesChanged
)
_MODELS: tuple[type[_Data], ...] = (
    AssetUpserted,
    AssetDeleted,
    AssetEvaluated,
    ViolationChanged,
    ExceptionChanged,
    FixChanged,
    PoliciesChanged,
)


def _types_of(model: type[_Data]) -> tuple[str, ...]:
    annotation = model.model_fields["event_type"].annotation
    return tuple(getattr(annotation, "__args__", ()))


EVENT_MODELS: dict[str, type[_Data]] = {t: m for m in _MODELS for t in _types_of(m)}
D = TypeVar("D", bound=_Data)


class Envelope(BaseModel):
    """CloudEvents 1.0 structured-mode JSON envelope."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    source: str
    subject: str
    time: datetime = Field(default_factory=utcnow)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    data: dict[str, Any]
    # The typed data, once validated (by ``decode`` or ``payload``), so it is validated once.
    _payload: EventData | None = PrivateAttr(default=None)

    @classmethod
    def wrap(cls, data: EventData, *, source: str, subject: str) -> Envelope:
        """Envelope ``data`` as an event from ``source`` about ``subject``."""
        envelope = cls(
            type=data.event_type,
            source=source,
            subject=subject,
            dataschema=f"urn:pacbot:schema:{data.event_type}:1",
            data=data.model_dump(mode="json"),
        )
        envelope._payload = data
        return envelope

    def payload(self) -> EventData:
        """The typed data of this event."""
        if self._payload is not None:
            return self._payload
        model = EVENT_MODELS.get(self.type)
        if model is None:
            raise EventDecodeError(f"unknown event type {self.type!r}")
        try:
            payload = model.model_validate(self.data)
        except ValidationError as exc:
            raise EventDecodeError(f"{self.type}: invalid data: {_errors(exc)}") from exc
        self._payload = payload  # type: ignore[assignment]
        return payload  # type: ignore[return-value]

    def payload_as(self, model: builtins.type[D]) -> D:
        """The data, checked to be of ``model``'s type."""
        data = self.payload()
        if not isinstance(data, model):
            raise EventDecodeError(f"expected {model.__name__}, got {self.type}")
        return data

    def encode(self) -> bytes:
        """The JSON bytes that go on the wire."""
        return self.model_dump_json().encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> Envelope:
        """Parse and validate an envelope and its data, or raise ``EventDecodeError``.

        The typed data validated here is kept, so ``payload()`` does not validate it again.
        """
        try:
            envelope = cls.model_validate(orjson.loads(raw))  # several times json.loads' speed
        except (ValueError, TypeError) as exc:
            detail = _errors(exc) if isinstance(exc, ValidationError) else str(exc)
            raise EventDecodeError(f"not a CloudEvents envelope: {detail}") from exc
        envelope.payload()
        return envelope


def encode_event(data: EventData, *, source: str, subject: str) -> str:
    """The wire JSON of ``Envelope.wrap(data, source=..., subject=...)``, byte for byte.

    The data is serialized straight from its model: no intermediate dict of the whole event
    is built and validated again as the envelope's ``data`` (the costly part of ``wrap``).
    """
    head = Envelope(
        type=data.event_type,
        source=source,
        subject=subject,
        dataschema=f"urn:pacbot:schema:{data.event_type}:1",
        data={},
    ).model_dump_json()
    # ``data`` is the envelope's last field: its serialization ends the object.
    if not head.endswith(_EMPTY_DATA):
        raise AssertionError(f"unexpected envelope serialization: {head[-40:]!r}")
    return f"{head[: -len(_EMPTY_DATA)]}{_DATA_KEY}{data.model_dump_json()}}}"


_DATA_KEY = '"data":'
_EMPTY_DATA = '"data":{}}'


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


def event_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of the envelope and of each event's data, for the published docs."""
    schemas: dict[str, dict[str, Any]] = {"envelope": Envelope.model_json_schema()}
    for model in _MODELS:
        schemas[model.__name__] = model.model_json_schema()
    return schemas
