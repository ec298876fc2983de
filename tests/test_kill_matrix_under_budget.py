"""The budget keeps the suite's teeth: the gate plan as a 100/min cluster gets it (planned to
its default per-key budget) still catches every reference-server fault."""

from __future__ import annotations

from conformance.budget import default_budget
from conformance.plans import PLAN_SETTINGS
from fixtures import kill_matrix

DEMO_CLUSTER_PER_KEY_PER_MINUTE = 100  # Capillary's documented demo-cluster limit


def test_every_fault_is_caught_under_the_rate_limited_gate_budget() -> None:
    budget = default_budget(DEMO_CLUSTER_PER_KEY_PER_MINUTE, PLAN_SETTINGS["gate"].rate_limited_minutes)
    assert budget is not None
    matrix = kill_matrix.build(jobs=2, plan="gate", budget=budget)
    assert matrix["unfaulted"]["exit_code"] == 0, matrix["unfaulted"]
    problems = [f"{row['fault']}: exit {row['exit_code']}, failing {row['failing_requirements']}"
                for row in matrix["faults"] if not row["caught"]]
    assert problems == []
