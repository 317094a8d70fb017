"""Fixtures for the per-fix tests: a moto server, clients on it, and the apply/rollback drill."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from pacbot.autofix.fixes import AccountAws, Fix, FixTarget
from pacbot.common.aws import AccountAccess, AwsSessionFactory

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto server of this module's own, so state never leaks between fix families."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> AccountAws:
    """Clients bound to the test account, through the same factory the service uses."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    factory = AwsSessionFactory(endpoint_url=moto_endpoint, region=REGION)
    return AccountAws(factory, region=REGION, access=AccountAccess(ACCOUNT))


@pytest.fixture
def client(aws: AccountAws) -> Callable[[str], Any]:
    """``client("s3")``: a raw boto3 client on the same moto server, to set resources up."""
    return aws.client


def target(resource_type: str, name: str, asset_id: str | None = None, **params: Any) -> FixTarget:
    """A target in the test account and region."""
    return FixTarget(
        asset_id=asset_id or name,
        account_id=ACCOUNT,
        region=REGION,
        resource_type=resource_type,
        name=name,
        params=params,
    )


def drill(fix: Fix, aws: AccountAws, where: FixTarget) -> dict[str, Any]:
    """The four steps every fix must pass on a non-compliant resource; returns the backup.

    1. the resource reads as non-compliant and the fix plans at least one call;
    2. apply runs exactly those calls and verify passes;
    3. a second apply plans and calls nothing, and the configuration is unchanged;
    4. rollback (reversible fixes) restores the backup exactly; otherwise it refuses.
    """
    backup = fix.read(aws, where)
    assert not fix.is_compliant(backup, where), f"{fix.name}: the setup is already compliant"
    planned = fix.calls(backup, where)
    assert planned, f"{fix.name}: a non-compliant resource must plan at least one call"
    assert fix.apply(aws, where, backup) == planned
    assert fix.verify(aws, where), f"{fix.name}: verify failed after apply"
    fixed = fix.read(aws, where)
    assert fix.calls(fixed, where) == [], f"{fix.name}: a second apply would call again"
    assert fix.apply(aws, where, fixed) == []
    assert fix.read(aws, where) == fixed
    if fix.reversible:
        undone = fix.rollback(aws, where, backup)
        assert undone, f"{fix.name}: rollback called nothing"
        assert fix.read(aws, where) == backup, f"{fix.name}: rollback did not restore the backup"
        assert fix.rollback(aws, where, backup) == [], f"{fix.name}: a second rollback called"
    return backup
