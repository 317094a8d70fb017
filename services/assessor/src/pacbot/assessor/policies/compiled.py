"""A loaded, validated policy: its document plus the compiled condition, ready to evaluate."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pacbot.assessor.conditions import Condition, Evaluator, Outcome
from pacbot.assessor.policies.model import PolicyDocument
from pacbot.common.events import AutofixSpec, PolicyRef, PolicyResult

_BOUND_LIMIT = 16  # distinct override sets kept bound per policy (registry revisions in use)


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy that loaded cleanly from ``source``."""

    document: PolicyDocument
    condition: Condition
    source: str

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the canonical document: any change to the policy as written changes it."""
        canonical = json.dumps(self.document.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The declared parameter defaults, computed once."""
        return self.document.param_defaults()

    @cached_property
    def _bound_defaults(self) -> Evaluator:
        return self._bind(self.defaults)

    @cached_property
    def _bound_overrides(self) -> dict[str, Evaluator]:
        return {}

    def _bind(self, params: Mapping[str, Any]) -> Evaluator:
        try:
            return self.condition.bind(params)
        except Exception as exc:  # e.g. a param the condition cannot use: every result errs
            reason = f"evaluation raised {exc!r}"
            return lambda config: Outcome("error", reason)

    def evaluator(self, overrides: Mapping[str, Any] | None = None) -> Evaluator:
        """The condition bound to the defaults with ``overrides`` over them.

        Binding resolves params and specialises every check, so it happens once per distinct
        set of overrides (a registry revision), not once per asset.
        """
        if not overrides:
            return self._bound_defaults
        cache = self._bound_overrides
        fingerprint = repr(sorted(overrides.items()))
        bound = cache.get(fingerprint)
        if bound is None:
            if len(cache) >= _BOUND_LIMIT:
                cache.clear()
            bound = cache[fingerprint] = self._bind({**self.defaults, **overrides})
        return bound

    @property
    def id(self) -> str:
        """The policy id."""
        return self.document.id

    def evaluate(
        self, config: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
    ) -> Outcome:
        """The verdict on one config, with parameter overrides over the defaults."""
        try:
            return self.evaluator(overrides)(config)
        except Exception as exc:  # a policy bug is an error result, never a lost asset event
            return Outcome("error", f"evaluation raised {exc!r}")

    def ref(self, grace_override: float | None = None) -> PolicyRef:
        """What downstream services learn about this policy; the grace override wins if set."""
        doc = self.document
        autofix = None
        if doc.autofix is not None:
            grace = doc.autofix.grace_period if grace_override is None else grace_override
            autofix = AutofixSpec(
                action=doc.autofix.action, grace_seconds=grace, params=doc.autofix.params
            )
        return PolicyRef(
            policy_id=doc.id,
            policy_version=doc.version,
            name=doc.name,
            severity=doc.severity,
            category=doc.category,
            autofix=autofix,
            frameworks={name: list(controls) for name, controls in doc.frameworks.items()},
        )

    def result(
        self,
        config: Mapping[str, Any],
        overrides: Mapping[str, Any] | None = None,
        grace_override: float | None = None,
    ) -> PolicyResult:
        """Evaluate and wrap the outcome as the event contract's ``PolicyResult``."""
        outcome = self.evaluate(config, overrides)
        return PolicyResult(
            policy=self.ref(grace_override),
            status=outcome.status,
            reason=outcome.reason,
            evidence=outcome.evidence,
        )

    def example_mismatches(self) -> list[str]:
        """Examples whose verdict differs from the label they carry (empty when all agree)."""
        problems = []
        labelled = [("pass", c) for c in self.document.examples.passing] + [
            ("fail", c) for c in self.document.examples.failing
        ]
        for i, (expected, config) in enumerate(labelled):
            outcome = self.evaluate(config)
            if outcome.status != expected:
                problems.append(
                    f"{self.id} example {i} expected {expected}, got {outcome.status}: "
                    f"{outcome.reason}"
                )
        return problems
