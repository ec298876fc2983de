"""The request budget inside a pytest run: items become candidates, the plan picks, the rest is
reported as "not run (budget)" (conformance/budget.py has the planning itself)."""

from __future__ import annotations

from collections.abc import Hashable

import pytest

from conformance.budget import Candidate, RunPlan, cost_of, default_budget, load_costs, plan
from conformance.forge import recipe_for
from conformance.plugin.levels import judgement, recorded_level, requirement_ids
from conformance.plugin.options import Settings
from conformance.plugin.results import RunResults, TestResult
from conformance.profiles import Profile
from conformance.requirements import Level

FORGERIES = "test_forged_token_is_rejected"


def budget_for(settings: Settings, profile: Profile | None) -> int | None:
    """`--request-budget`, else on a rate-limited target the plan's default, else none."""
    if settings.request_budget is not None:
        return settings.request_budget
    if profile is None:
        return None
    return default_budget(profile.rate_limit_per_minute, settings.plan.rate_limited_minutes)


def candidate(item: pytest.Item, profile: Profile, costs: dict[str, object], examples: int) -> Candidate:
    function = getattr(item, "originalname", item.name.split("[", 1)[0])
    callspec = getattr(item, "callspec", None)
    # A class of attack is one parametrised case (a distinct request), except the forged tokens,
    # whose 94 variants group into their ATTACKS cases (all alg-none spellings are one idea).
    klass: Hashable = (function, callspec.id if callspec is not None else "")
    if function == FORGERIES and callspec is not None:
        klass = (function, recipe_for(str(callspec.params["forgery_id"])).case)
    skipped = item.get_closest_marker("skip") is not None
    must = skipped or judgement(item, profile).level is Level.MUST
    cost = {} if skipped else cost_of(costs, function, examples)  # type: ignore[arg-type]
    return Candidate(item.nodeid, klass, must, cost)


def apply_budget(items: list[pytest.Item], config: pytest.Config, settings: Settings, profile: Profile,
                 results: RunResults, budget: int, examples: int) -> RunPlan:
    costs = load_costs()
    by_nodeid = {item.nodeid: item for item in items}
    run_plan = plan([candidate(item, profile, costs, examples) for item in items], budget)
    run_plan.hypothesis_examples = examples
    left_out = [by_nodeid[c.nodeid] for c in run_plan.left_out]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        kept = {c.nodeid for c in run_plan.selected}
        items[:] = [item for item in items if item.nodeid in kept]
    for item in left_out:
        level = recorded_level(judgement(item, profile).level)
        results.record(TestResult(item.nodeid, requirement_ids(item), level.value, "not-run", 0.0, "not run (budget)"))
    return run_plan


def plan_lines(run_plan: RunPlan, per_key_per_minute: int) -> list[str]:
    """The plan, printed before the first request."""
    described = run_plan.describe(per_key_per_minute)
    per_key = ", ".join(f"{key} {count}" for key, count in described["planned_per_key"].items())
    wall = (f"; about {described['estimated_wall_seconds'] / 60:.1f} min at {per_key_per_minute}/min per key"
            if per_key_per_minute else "")
    return [f"plan: {described['planned_requests']} requests, at most {run_plan.budget} per key{wall} "
            f"({len(run_plan.selected)} tests, {len(run_plan.left_out)} not run (budget), "
            f"{run_plan.hypothesis_examples} Hypothesis examples per property)",
            f"plan: requests per key: {per_key}"]
