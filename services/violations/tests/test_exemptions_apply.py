"""Exceptions as the violations service applies them: resource and sticky grants, new failures
born exempted, revocation and expiry, hand-over, and late or out-of-order exception events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pacbot.common.events import AssetSummary, ExceptionChanged, ExceptionCriteria
from pacbot.violations.lifecycle.transitions import violation_id
from pacbot.violations.models import ExceptionAsset, ExceptionProjection
from services.violations.tests.conftest import T0
from services.violations.tests.test_lifecycle import dual_client, dual_kit, rows_of, violation

__all__ = ["dual_client", "dual_kit"]  # fixtures shared with test_lifecycle

PROD = {"env": "prod"}


def sticky(
    kind: str,
    exception_id: str,
    minute: int,
    *,
    policy_ids: list[str] | None = None,
    days: int = 30,
    **criteria: Any,
) -> ExceptionChanged:
    """A sticky exception event; ``criteria`` are ExceptionCriteria fields."""
    return ExceptionChanged(
        event_type=f"pacbot.exception.{kind}",  # type: ignore[arg-type]
        exception_id=exception_id,
        kind="sticky",
        policy_ids=policy_ids or ["*"],
        criteria=ExceptionCriteria(**criteria),
        reason="legacy estate",
        requester="alice",
        approver="bob",
        expires_at=T0 + timedelta(days=days),
        occurred_at=T0 + timedelta(minutes=minute),
    )


def bucket(name: str, account_id: str = "111111111111", **tags: str) -> AssetSummary:
    return AssetSummary(
        asset_id=f"arn:aws:s3:::{name}",
        account_id=account_id,
        region="us-east-1",
        resource_type="aws.s3.bucket",
        name=name,
        tags=tags,
    )


async def status_of(client: Any, asset: AssetSummary, policy_id: str) -> tuple[str, str | None]:
    body = await violation(client, violation_id(asset.asset_id, policy_id))
    return body["status"], body["exception_id"]


async def test_sticky_grant_exempts_every_matching_open_violation_at_once(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    prod, dev, other = (
        bucket("prod-a", **PROD),
        bucket("dev-a", env="dev"),
        bucket("prod-b", "2" * 12, **PROD),
    )
    for asset in (prod, dev, other):
        await kit.publish(kit.evaluated(1, 0, asset, public="fail", encryption="fail"))
    await kit.publish(sticky("granted", "st-1", 1, accounts=["111111111111"], tags=PROD))
    assert await status_of(dual_client, prod, kit.public) == ("exempted", "st-1")
    assert await status_of(dual_client, prod, kit.encryption) == ("exempted", "st-1")
    assert await status_of(dual_client, dev, kit.public) == ("open", None)
    assert await status_of(dual_client, other, kit.public) == ("open", None)
    [projection] = await rows_of(kit, ExceptionProjection)
    assert projection.criteria is not None
    assert projection.criteria["tags"] == PROD
    assert (projection.kind, projection.policy_ids, projection.active) == ("sticky", ["*"], True)


async def test_asset_discovered_after_a_sticky_grant_opens_exempted(kit: Any, client: Any) -> None:
    await kit.publish(
        sticky("granted", "st-1", 0, policy_ids=[kit.public], name_patterns=["legacy-*"])
    )
    late = bucket("legacy-7")
    await kit.publish(kit.evaluated(1, 5, late, public="fail", encryption="fail"))
    assert await status_of(client, late, kit.public) == ("exempted", "st-1")
    assert await status_of(client, late, kit.encryption) == ("open", None)
    exempted = [c for c in kit.changes() if c.status == "exempted"]
    assert [(c.event_type, c.episode, c.sequence) for c in exempted] == [
        ("pacbot.violation.exempted", 1, 1)
    ]


async def test_resource_exception_with_every_policy_and_its_asset_index(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail", encryption="fail"))
    await kit.publish(kit.exception("granted", "ex-all", 1, policy_id="*"))
    assert await status_of(client, kit.asset(), kit.public) == ("exempted", "ex-all")
    assert await status_of(client, kit.asset(), kit.encryption) == ("exempted", "ex-all")
    links = await rows_of(kit, ExceptionAsset)
    assert [(link.exception_id, link.asset_id) for link in links] == [("ex-all", kit.bucket)]


async def test_revoke_reopens_failing_and_another_covering_exception_takes_over(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    prod, dev = bucket("prod-a", **PROD), bucket("dev-a")
    for asset in (prod, dev):
        await kit.publish(kit.evaluated(1, 0, asset, public="fail"))
    await kit.publish(sticky("granted", "st-long", 1, days=60, name_patterns=["*-a"]))
    await kit.publish(sticky("granted", "st-prod", 2, days=10, tags=PROD))  # shorter: no move
    assert await status_of(dual_client, prod, kit.public) == ("exempted", "st-long")
    await kit.publish(sticky("revoked", "st-long", 3, days=60, name_patterns=["*-a"]))
    assert await status_of(dual_client, prod, kit.public) == ("exempted", "st-prod")
    assert await status_of(dual_client, dev, kit.public) == ("open", None)
    body = await violation(dual_client, violation_id(prod.asset_id, kit.public))
    assert [(e["event"], e["detail"]) for e in body["timeline"][-2:]] == [
        ("unexempted", "exception st-long revoked"),
        ("exempted", "by exception st-prod"),
    ]
    await kit.publish(sticky("expired", "st-prod", 4, days=10, tags=PROD))
    assert await status_of(dual_client, prod, kit.public) == ("open", None)


async def test_a_longer_lasting_grant_takes_over_an_exempted_violation(
    kit: Any, client: Any
) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("granted", "ex-short", 1, days=5))
    await kit.publish(kit.exception("granted", "ex-long", 2, days=50))
    body = await violation(client, violation_id(kit.bucket, kit.public))
    assert (body["status"], body["exception_id"]) == ("exempted", "ex-long")
    assert (
        body["timeline"][-2]["detail"]
        == "exception ex-short superseded by ex-long, which lasts longer"
    )


async def test_asset_no_longer_matching_a_sticky_exception_reopens(kit: Any, client: Any) -> None:
    await kit.publish(sticky("granted", "st-1", 0, tags=PROD))
    await kit.publish(kit.evaluated(1, 1, bucket("b", **PROD), public="fail"))
    await kit.publish(kit.evaluated(2, 2, bucket("b", env="dev"), public="fail"))  # retagged
    assert await status_of(client, bucket("b"), kit.public) == ("open", None)
    body = await violation(client, violation_id(bucket("b").asset_id, kit.public))
    assert body["timeline"][-2]["detail"] == "exception st-1 no longer covers it"
    assert kit.transitions() == [("exempted", "exempted"), ("reopened", "open")]


async def test_an_exception_expired_by_the_evaluation_time_does_not_exempt(
    kit: Any, client: Any
) -> None:
    await kit.publish(sticky("granted", "st-1", 0, days=1, tags=PROD))
    await kit.publish(kit.evaluated(1, 60 * 30, bucket("b", **PROD), public="fail"))
    assert await status_of(client, bucket("b"), kit.public) == ("open", None)


async def test_only_grants_revocations_and_expiries_matter(kit: Any, client: Any) -> None:
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("requested", "ex-1", 1))
    await kit.publish(kit.exception("expiring_soon", "ex-1", 2))
    assert kit.transitions() == [("opened", "open")]
    await kit.publish(kit.exception("granted", "ex-1", 3))  # a request that was approved
    assert await status_of(client, kit.asset(), kit.public) == ("exempted", "ex-1")
    await kit.publish(kit.exception("expiring_soon", "ex-1", 4))
    await kit.publish(kit.exception("rejected", "ex-2", 5))
    assert kit.transitions() == [("opened", "open"), ("exempted", "exempted")]


async def test_late_and_duplicate_exception_events_change_nothing(
    dual_kit: Any, dual_client: Any
) -> None:
    kit = dual_kit
    await kit.publish(kit.evaluated(1, 0, public="fail"))
    await kit.publish(kit.exception("revoked", "ex-1", 5))  # the end overtook its grant
    await kit.publish(kit.exception("granted", "ex-1", 1))
    assert await status_of(dual_client, kit.asset(), kit.public) == ("open", None)
    await kit.publish(kit.exception("granted", "ex-2", 6))
    await kit.publish(kit.exception("granted", "ex-2", 6))  # a duplicate, new envelope id
    await kit.publish(kit.exception("expired", "ex-2", 7))
    await kit.publish(kit.exception("expired", "ex-2", 7))
    await kit.publish(kit.exception("granted", "ex-2", 6))  # replayed after its end
    assert kit.transitions() == [
        ("opened", "open"),
        ("exempted", "exempted"),
        ("reopened", "open"),
    ]
    projections = {p.exception_id: p.active for p in await rows_of(kit, ExceptionProjection)}
    assert projections == {"ex-1": False, "ex-2": False}
