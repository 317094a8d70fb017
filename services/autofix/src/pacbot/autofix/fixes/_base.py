"""What a fix is: declarative metadata plus read / is_compliant / apply / verify on one resource."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from pacbot.common.aws import AccountAccess, AwsSessionFactory


class ResourceGone(Exception):
    """The resource no longer exists, so there is nothing to fix."""


@dataclass(frozen=True)
class FixTarget:
    """The one resource a fix acts on."""

    asset_id: str
    account_id: str
    region: str
    resource_type: str
    name: str


class AccountAws:
    """AWS clients bound to one account and region, so fixes never pick credentials themselves."""

    def __init__(self, factory: AwsSessionFactory, *, region: str, access: AccountAccess) -> None:
        self.factory = factory
        self.region = region
        self.access = access

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` in the bound account and region."""
        return self.factory.client(service, region=self.region, access=self.access)


class Fix(ABC):
    """A remediation; boto3 is synchronous, so callers run these methods in a worker thread."""

    name: ClassVar[str]
    resource_type: ClassVar[str]
    permissions: ClassVar[tuple[str, ...]]
    description: ClassVar[str]

    @abstractmethod
    def read(self, aws: AccountAws, target: FixTarget) -> dict[str, Any]:
        """The resource's current configuration, as far as this fix is concerned."""

    @abstractmethod
    def is_compliant(self, current: dict[str, Any]) -> bool:
        """True when ``current`` needs no fix."""

    @abstractmethod
    def apply(self, aws: AccountAws, target: FixTarget) -> None:
        """Change the resource so that it becomes compliant."""

    def verify(self, aws: AccountAws, target: FixTarget) -> bool:
        """Read the resource back and check the fix took."""
        return self.is_compliant(self.read(aws, target))

    def describe(self, target: FixTarget) -> str:
        """What applying this fix to ``target`` would do, for dry runs and notifications."""
        return f"{self.description} on {target.resource_type} {target.name} ({target.asset_id})"
