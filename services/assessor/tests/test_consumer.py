"""The asset consumer: one evaluation per asset version, stale versions skipped, replays re-run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from pacbot.assessor.models import PolicyState
from pacbot.common.events import ASSETS_TOPIC, EVALUATIONS_TOPIC, Envelope, dead_letter_topic

PUBLIC = "aws-s3-bucket-public-access"
ENCRYPTION = "aws-s3-bucket-default-encryption"


def statuses(evaluation: Any) -> dict[str, str]:
    return {r.policy.policy_id: r.status for r in evaluation.results}


async def test_upsert_emits_one_evaluation_with_every_policy(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        await kit.publish(kit.upserted(1, kit.bucket_config(PublicAclGrants=["READ"])))
        [evaluation] = await kit.evaluations(app)
    assert evaluation.asset.asset_id == kit.bucket
    assert evaluation.asset_version == 1
    assert statuses(evaluation) == {PUBLIC: "fail", ENCRYPTION: "fail"}
    public = next(r for r in evaluation.results if r.policy.policy_id == PUBLIC)
    assert public.evidence["PublicAclGrants"] == ["READ"]
    assert public.policy.autofix is not None
    assert public.policy.autofix.grace_seconds == 86400
    message = kit.bus.messages("pacbot.evaluations.v1")[0]
    assert message.key == kit.bucket


async def test_duplicate_and_stale_versions_are_skipped(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        await kit.publish(kit.upserted(2, kit.bucket_config()))
        await kit.publish(kit.upserted(2, kit.bucket_config()))  # redelivery, new event id
        await kit.publish(kit.upserted(1, kit.bucket_config(PublicAclGrants=["READ"])))
        await kit.publish(kit.upserted(3, kit.bucket_config(PublicAclGrants=["READ"])))
        emitted = await kit.evaluations(app)
    assert [e.asset_version for e in emitted] == [2, 3]
    assert statuses(emitted[1])[PUBLIC] == "fail"


async def test_replay_of_the_same_version_re_evaluates(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        await kit.publish(kit.upserted(4, kit.bucket_config()))
        await kit.publish(kit.upserted(4, kit.bucket_config(), replay=True))
        await kit.publish(kit.upserted(3, kit.bucket_config(), replay=True))
        emitted = await kit.evaluations(app)
    assert [e.asset_version for e in emitted] == [4, 4]


async def test_deleted_assets_are_not_evaluated(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        await kit.publish(kit.deleted(1))
        assert await kit.evaluations(app) == []


async def test_other_resource_types_get_an_empty_evaluation(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        await kit.publish(
            kit.upserted(
                1, {"GroupId": "sg-1"}, asset_id="sg-1", resource_type="aws.ec2.security-group"
            )
        )
        [evaluation] = await kit.evaluations(app)
    assert evaluation.results == []


async def test_disabled_policy_in_the_registry_is_not_evaluated(kit: Any) -> None:
    app = kit.app()
    async with kit.running(app):
        async with app.state.runtime.db.session() as session:
            await session.execute(
                update(PolicyState).where(PolicyState.policy_id == ENCRYPTION).values(enabled=False)
            )
        await kit.publish(kit.upserted(1, kit.bucket_config()))
        [evaluation] = await kit.evaluations(app)
    assert statuses(evaluation) == {PUBLIC: "pass"}


async def test_grace_override_replaces_every_autofix_grace_period(kit: Any) -> None:
    app = kit.app(autofix_grace_override_seconds=2)
    async with kit.running(app):
        await kit.publish(kit.upserted(1, kit.bucket_config(PolicyStatus={"IsPublic": True})))
        [evaluation] = await kit.evaluations(app)
    autofix = {r.policy.policy_id: r.policy.autofix for r in evaluation.results}
    assert autofix[ENCRYPTION] is None
    assert autofix[PUBLIC] is not None
    assert autofix[PUBLIC].grace_seconds == 2


async def test_cursor_survives_a_restart(kit: Any) -> None:
    first = kit.app()
    async with kit.running(first):
        await kit.publish(kit.upserted(5, kit.bucket_config()))
        assert [e.asset_version for e in await kit.evaluations(first)] == [5]
    kit.restart_bus()
    second = kit.app()
    async with kit.running(second):
        await kit.publish(kit.upserted(5, kit.bucket_config()))
        await kit.publish(kit.upserted(6, kit.bucket_config()))
        emitted = await kit.evaluations(second)
    assert [e.asset_version for e in emitted] == [6]


async def _publish_before_start(kit: Any, envelopes: list[Envelope]) -> None:
    """Publish before the assessor consumes, so its consumer gets them as one batch."""
    for envelope in envelopes:
        await kit.bus.publish(ASSETS_TOPIC, envelope, key=envelope.subject)


def _wrap(event: Any) -> Envelope:
    return Envelope.wrap(event, source="test", subject=event.asset.asset_id)


async def test_a_batch_of_assets_gives_one_evaluation_per_asset(kit: Any) -> None:
    arns = [f"arn:aws:s3:::batch-{i}" for i in range(40)]
    upserts = [
        kit.upserted(
            1, kit.bucket_config(Arn=arn, PublicAclGrants=["READ"] if i % 2 else []), asset_id=arn
        )
        for i, arn in enumerate(arns)
    ]
    await _publish_before_start(kit, [_wrap(e) for e in upserts] + [_wrap(kit.deleted(2, arns[0]))])
    app = kit.app()
    async with kit.running(app):
        await kit.bus.drain()
        emitted = await kit.evaluations(app)
    assert {e.asset.asset_id: statuses(e)[PUBLIC] for e in emitted} == {
        arn: "fail" if i % 2 else "pass" for i, arn in enumerate(arns)
    }
    assert len(emitted) == len(arns)
    assert sorted(m.key or "" for m in kit.bus.messages(EVALUATIONS_TOPIC)) == sorted(arns)


async def test_versions_of_one_asset_inside_one_batch_are_judged_in_order(kit: Any) -> None:
    third = _wrap(kit.upserted(3, kit.bucket_config(PublicAclGrants=["READ"])))
    await _publish_before_start(
        kit,
        [
            _wrap(kit.upserted(2, kit.bucket_config())),
            _wrap(kit.upserted(2, kit.bucket_config())),  # same version, new event id
            _wrap(kit.upserted(1, kit.bucket_config(PublicAclGrants=["READ"]))),  # stale
            third,
            third,  # the same event delivered twice
            _wrap(kit.upserted(3, kit.bucket_config(), replay=True)),
        ],
    )
    app = kit.app()
    async with kit.running(app):
        await kit.bus.drain()
        await kit.publish(kit.upserted(3, kit.bucket_config()))  # a later batch: still stale
        emitted = await kit.evaluations(app)
    assert [(e.asset_version, statuses(e)[PUBLIC]) for e in emitted] == [
        (2, "pass"),
        (3, "fail"),
        (3, "pass"),
    ]


async def test_malformed_event_inside_a_batch_is_dead_lettered_and_the_rest_evaluated(
    kit: Any,
) -> None:
    first, second = (f"arn:aws:s3:::around-{i}" for i in (1, 2))
    await _publish_before_start(kit, [_wrap(kit.upserted(1, kit.bucket_config(), asset_id=first))])
    await kit.bus.publish_raw(ASSETS_TOPIC, b'{"type": "pacbot.asset.upserted"}', key=first)
    await _publish_before_start(kit, [_wrap(kit.upserted(1, kit.bucket_config(), asset_id=second))])
    app = kit.app()
    async with kit.running(app):
        await kit.bus.drain()
        emitted = await kit.evaluations(app)
    assert sorted(e.asset.asset_id for e in emitted) == [first, second]
    [dead] = kit.bus.messages(dead_letter_topic(ASSETS_TOPIC))
    assert dict(dead.headers)["pacbot-consumer-group"] == b"assessor"
    assert b"not a CloudEvents envelope" in dict(dead.headers)["pacbot-error"]
