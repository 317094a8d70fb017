"""What a fix is: declarative metadata plus read / judge / plan calls / roll back on one resource.

A fix never calls AWS to change anything itself. ``calls`` returns the exact API calls that make
the resource compliant (nothing when it already is), and ``rollback_calls`` the calls that put a
backup back. The base class executes them, so a dry run records exactly what would be called, a
second apply calls nothing, and every write is checked against the declared permissions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pacbot.common.aws import AccountAccess, AwsSessionFactory


class ResourceGone(Exception):
    """The resource no longer exists, so there is nothing to fix."""


class NotReversible(Exception):
    """The fix, or this particular backup, cannot be put back."""


def error_code(exc: ClientError) -> str:
    """The AWS error code of a botocore ``ClientError``."""
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass(frozen=True)
class FixTarget:
    """The one resource a fix acts on, and the parameters the policy's autofix block gave."""

    asset_id: str
    account_id: str
    region: str
    resource_type: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call: the boto3 client, its method (snake_case) and the keyword arguments."""

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape recorded in a plan's history and dry runs."""
        return {"service": self.service, "operation": self.operation, "params": dict(self.params)}


class AccountAws:
    """AWS clients bound to one account and region, so fixes never pick credentials themselves."""

    def __init__(self, factory: AwsSessionFactory, *, region: str, access: AccountAccess) -> None:
        self.factory = factory
        self.region = region
        self.access = access

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` in the bound account and region."""
        return self.factory.client(service, region=self.region, access=self.access)

    def call(self, call: ApiCall) -> Any:
        """Run one planned call."""
        return getattr(self.client(call.service), call.operation)(**call.params)


class Fix(ABC):
    """A remediation of one resource type. boto3 is synchronous: callers use a worker thread.

    Subclasses declare:

    - ``name``: the action policies name in their ``autofix`` block;
    - ``resource_type`` and ``policies``: the policy ids (of that type) the fix answers;
    - ``read_permissions`` / ``write_permissions``: IAM actions (``service:Action``) that
      ``read`` and the planned calls need; ``pacbot fixes iam-policy`` is generated from them;
    - ``reversible``; ``backs_up``: what ``read`` keeps; ``verifies``: how the fix checks itself;
    - ``description``: one line saying what the fix does.
    """

    name: ClassVar[str]
    resource_type: ClassVar[str]
    policies: ClassVar[tuple[str, ...]]
    read_permissions: ClassVar[tuple[str, ...]]
    write_permissions: ClassVar[tuple[str, ...]]
    reversible: ClassVar[bool]
    backs_up: ClassVar[str]
    verifies: ClassVar[str]
    description: ClassVar[str]

    @property
    def permissions(self) -> tuple[str, ...]:
        """Every IAM action the fix needs, reads first."""
        return tuple(dict.fromkeys((*self.read_permissions, *self.write_permissions)))

    @abstractmethod
    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The resource's current configuration as far as this fix is concerned (its backup).

        JSON-serialisable. Raises ``ResourceGone`` when the resource no longer exists.
        """

    @abstractmethod
    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """True when ``current`` needs no fix."""

    @abstractmethod
    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """The calls that make ``current`` compliant, changing nothing else; [] when compliant."""

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """The calls that turn ``current`` back into ``backup``; [] when they already match."""
        raise NotReversible(f"{self.name} cannot be rolled back")

    def apply(self, aws: AccountAws, target: FixTarget, current: dict[str, Any]) -> list[ApiCall]:
        """Run the calls planned from ``current``; returns what was called."""
        return self._run(aws, self.calls(current, target))

    def rollback(self, aws: AccountAws, target: FixTarget, backup: dict[str, Any]) -> list[ApiCall]:
        """Restore ``backup`` over the live configuration; returns what was called."""
        if not self.reversible:
            raise NotReversible(f"{self.name} cannot be rolled back")
        return self._run(aws, self.rollback_calls(backup, self.read(aws, target), target))

    def verify(self, aws: AccountAws, target: FixTarget) -> bool:
        """Read the resource back and check the fix took."""
        return self.is_compliant(self.read(aws, target), target)

    def describe(self, target: FixTarget) -> str:
        """What applying this fix to ``target`` would do, for dry runs and notifications."""
        return f"{self.description} on {target.resource_type} {target.name} ({target.asset_id})"

    @staticmethod
    def _run(aws: AccountAws, calls: Sequence[ApiCall]) -> list[ApiCall]:
        for call in calls:
            aws.call(call)
        return list(calls)


class FlagFix(Fix):
    """A fix that sets one boolean setting: compliant when ``flag`` reads ``wanted``; rollback
    sets the backed-up value again. ``read`` returns the flag under ``flag`` as a bool."""

    flag: ClassVar[str]
    wanted: ClassVar[bool]

    @abstractmethod
    def set_flag(self, target: FixTarget, value: bool) -> ApiCall:
        """The one call that sets the flag to ``value``."""

    def is_compliant(self, current: dict[str, Any], target: FixTarget) -> bool:
        """The flag has the wanted value."""
        return current.get(self.flag) is self.wanted

    def calls(self, current: dict[str, Any], target: FixTarget) -> list[ApiCall]:
        """One call setting the flag, unless the resource is already compliant."""
        if self.is_compliant(current, target):
            return []
        return [self.set_flag(target, self.wanted)]

    def rollback_calls(
        self, backup: dict[str, Any], current: dict[str, Any], target: FixTarget
    ) -> list[ApiCall]:
        """Set the flag back to the backed-up value."""
        old = bool(backup.get(self.flag))
        if old == current.get(self.flag):
            return []
        return [self.set_flag(target, old)]
