"""``redshift-not-public`` against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pacbot.autofix.fixes import FIXES, AccountAws, Fix, ResourceGone

from .conftest import ACCOUNT, REGION, drill, target

Client = Callable[[str], Any]


def _fix() -> Fix:
    fix = FIXES.get("redshift-not-public")
    assert fix is not None
    return fix


def _cluster(client: Client, name: str, public: bool) -> Any:
    client("redshift").create_cluster(
        ClusterIdentifier=name,
        NodeType="dc2.large",
        MasterUsername="admin",
        MasterUserPassword="NotASecret1",
        PubliclyAccessible=public,
    )
    arn = f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{name}"
    return target("aws.redshift.cluster", name, arn)


def test_a_public_cluster_is_made_private_and_rolled_back(aws: AccountAws, client: Client) -> None:
    where = _cluster(client, "open-dwh", public=True)
    assert drill(_fix(), aws, where) == {"PubliclyAccessible": True}


def test_a_private_cluster_needs_nothing(aws: AccountAws, client: Client) -> None:
    where = _cluster(client, "analytics", public=False)
    current = _fix().read(aws, where)
    assert _fix().is_compliant(current, where)
    assert _fix().calls(current, where) == []


def test_a_deleted_cluster_is_gone(aws: AccountAws) -> None:
    with pytest.raises(ResourceGone):
        _fix().read(aws, target("aws.redshift.cluster", "nope"))
