"""What a seeded resource is and what a scan must say about it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3

from pacbot.cli.estate.gaps import MOTO_GAPS

SIMULATED_PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - a password inside moto, never real
"""The one password the estate gives console users and databases."""


@dataclass(frozen=True)
class Seeded:
    """One resource the estate created, with the policies it must fail and why.

    ``breaks`` are the misconfigurations seeded on purpose; ``moto_gaps`` are policies the
    resource fails only because moto cannot represent the compliant setting, each keyed into
    ``MOTO_GAPS`` with the reason.
    """

    resource_type: str
    resource_id: str
    breaks: frozenset[str] = frozenset()
    moto_gaps: frozenset[str] = frozenset()

    @property
    def expected_failures(self) -> frozenset[str]:
        """Every policy id this resource should fail with the shipped pack's defaults."""
        return self.breaks | self.moto_gaps


def seeded(
    resource_type: str,
    resource_id: str,
    breaks: Iterable[str] = (),
    gaps: Iterable[str] = (),
) -> Seeded:
    """A ``Seeded`` whose gaps must each have a documented reason in ``MOTO_GAPS``."""
    unknown = set(gaps) - set(MOTO_GAPS)
    if unknown:
        raise KeyError(f"moto gap without a documented reason: {sorted(unknown)}")
    return Seeded(resource_type, resource_id, frozenset(breaks), frozenset(gaps))


@dataclass
class Account:
    """Clients for one (simulated) account and region, handed to every seeding module."""

    session: boto3.Session
    endpoint_url: str
    region: str
    account_id: str
    name: str = "estate"
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """A cached boto3 client for ``service`` in the account's region."""
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint_url,
                region_name=self.region,
            )
        return self._clients[service]

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """``arn:aws:<service>:<region>:<account>:<resource>`` (no region for global services)."""
        where = self.region if region else ""
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"

    def name_of(self, what: str) -> str:
        """A resource name unique to this estate, so shared servers never collide."""
        return f"{self.name}-{what}"


def anyone_may(action: str | list[str], resource: str | None = None, bare: bool = False) -> str:
    """A resource policy granting ``action`` to every principal, with no condition."""
    statement: dict[str, Any] = {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": "*" if bare else {"AWS": "*"},
        "Action": action,
    }
    if resource is not None:
        statement["Resource"] = resource
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
