"""AWS access for every service: one session factory (endpoint override, assume-role, retries)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
from botocore.config import Config


@dataclass(frozen=True)
class AccountAccess:
    """How to reach one account: its id and, unless it is the caller's own, a role to assume."""

    account_id: str
    role_arn: str | None = None
    external_id: str | None = None


class AwsSessionFactory:
    """Builds boto3 clients per (account, region, service), caching assumed-role credentials."""

    def __init__(
        self,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        max_attempts: int = 10,
        session_name: str = "pacbot",
        base_session: boto3.Session | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.session_name = session_name
        self.max_attempts = max_attempts
        self.config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            connect_timeout=10,
            read_timeout=60,
            max_pool_connections=32,
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._base = base_session or boto3.Session(region_name=region)
        self._cache: dict[tuple[str, str | None], tuple[boto3.Session, datetime]] = {}
        self._clients: dict[tuple[str, str, str | None, int | None], tuple[boto3.Session, Any]] = {}
        self._lock = threading.Lock()

    def session(self, access: AccountAccess | None = None) -> boto3.Session:
        """The caller's own session, or one with the account's assumed-role credentials."""
        if access is None or access.role_arn is None:
            return self._base
        key = (access.role_arn, access.external_id)
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[1] - datetime.now(UTC) > timedelta(minutes=5):
                return cached[0]
        session, expires = self._assume(access)
        with self._lock:
            self._cache[key] = (session, expires)
        return session

    def _assume(self, access: AccountAccess) -> tuple[boto3.Session, datetime]:
        sts = self._base.client("sts", endpoint_url=self.endpoint_url, config=self.config)
        kwargs: dict[str, Any] = {"RoleArn": access.role_arn, "RoleSessionName": self.session_name}
        if access.external_id:
            kwargs["ExternalId"] = access.external_id
        creds = sts.assume_role(**kwargs)["Credentials"]
        # The account's session reads the API models through the base session's loader, which
        # keeps each model once parsed: a session of its own parsed every service's JSON model
        # again for every account, and again at every credential refresh (a quarter of the
        # demo's discovery CPU went to json.loads in botocore's loader; py-spy).
        core = botocore.session.Session()
        core.register_component("data_loader", self._base._session.get_component("data_loader"))
        core.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        session = boto3.Session(botocore_session=core, region_name=self.region)
        expires = creds["Expiration"]
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return session, expires

    def client(
        self,
        service: str,
        *,
        region: str | None = None,
        access: AccountAccess | None = None,
        max_attempts: int | None = None,
    ) -> Any:
        """A boto3 client for ``service`` in ``region`` of the given account, built once.

        Clients are thread-safe and expensive to build, so they are cached per session (a
        refreshed assumed-role session gets new clients); building one is serialised because
        boto3 sessions are not thread-safe. ``max_attempts`` gives the client its own, smaller
        retry budget (standard mode) for calls whose failure should end a sweep quickly; it never
        exceeds the factory's own budget.
        """
        if max_attempts is not None:
            max_attempts = min(max_attempts, self.max_attempts)
        session = self.session(access)
        role = access.role_arn if access else None
        key = (service, region or self.region, role, max_attempts)
        config = self.config
        if max_attempts is not None:
            config = config.merge(
                Config(retries={"mode": "standard", "max_attempts": max_attempts})
            )
        with self._lock:
            cached = self._clients.get(key)
            if cached is None or cached[0] is not session:
                client = session.client(
                    service,  # type: ignore[call-overload]
                    region_name=region or self.region,
                    endpoint_url=self.endpoint_url,
                    config=config,
                )
                cached = self._clients[key] = (session, client)
        return cached[1]

    def caller_account(self) -> str:
        """The account id of the base credentials."""
        return str(self.client("sts").get_caller_identity()["Account"])
