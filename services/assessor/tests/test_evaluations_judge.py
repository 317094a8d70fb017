"""The batch path's results are exactly what ``CompiledPolicy.result`` gives, field for field."""

from __future__ import annotations

from pacbot.assessor.evaluations.service import judge
from pacbot.assessor.policies.loader import load_policies
from pacbot.assessor.policies.service import ActivePolicy
from pacbot.assessor.settings import SHIPPED_PACKS

PACK = load_policies([SHIPPED_PACKS]).policies


def test_judge_matches_compiled_result_on_every_shipped_example() -> None:
    checked = 0
    for policy in PACK:
        active = ActivePolicy(policy, True, {})
        examples = policy.document.examples
        for config in [*examples.passing, *examples.failing]:
            for grace in (None, 60.0):
                [got] = judge(config, [(active, policy.ref(grace))])
                want = policy.result(config, {}, grace)
                assert got.model_dump_json() == want.model_dump_json()
                assert got == want
                checked += 1
    assert checked > 100


def test_judge_keeps_policy_order_and_overrides() -> None:
    policy = next(p for p in PACK if p.document.params)
    name = next(iter(policy.document.params))
    others = [p for p in PACK if p.document.resource == policy.document.resource][:3]
    actives = [ActivePolicy(p, True, {}) for p in others] + [
        ActivePolicy(policy, True, {name: policy.document.params[name].default})
    ]
    config = policy.document.examples.failing[0] if policy.document.examples.failing else {}
    results = judge(config, [(a, a.policy.ref()) for a in actives])
    assert [r.policy.policy_id for r in results] == [a.policy.id for a in actives]
    assert results[-1] == policy.result(config, actives[-1].overrides)
