"""Planning to a request budget: every MUST class kept, the rest while it fits, the left-out reported."""

from __future__ import annotations

import ast
from pathlib import Path

from conformance.budget import (
    MEASURED_PLAN,
    Candidate,
    cost_of,
    default_budget,
    hypothesis_examples,
    load_costs,
    plan,
    property_tests,
)
from conformance.plugin import results as run_results

SUITES = Path(__file__).resolve().parents[2] / "conformance" / "suites"


def case(name: str, klass: str, must: bool = True, primary: float = 2.0, other: float = 0.0) -> Candidate:
    cost = {"primary": primary, **({"fallback": other} if other else {})}
    return Candidate(name, klass, must, cost)


def test_every_must_class_keeps_its_first_case_even_over_the_budget() -> None:
    chosen = plan([case("a1", "a"), case("a2", "a"), case("b1", "b"), case("s1", "s", must=False)], budget=1)
    assert [c.nodeid for c in chosen.selected] == ["a1", "b1"]  # over budget: MUST coverage is not traded
    assert [c.nodeid for c in chosen.left_out] == ["a2", "s1"]


def test_the_rest_is_added_round_robin_while_every_key_stays_within_the_budget() -> None:
    cases = [case("a1", "a"), case("a2", "a"), case("a3", "a"), case("b1", "b"), case("b2", "b")]
    chosen = plan(cases, budget=8)
    assert [c.nodeid for c in chosen.selected] == ["a1", "a2", "b1", "b2"]  # a3 would be the 5th at 2 each
    assert chosen.per_key() == {"primary": 8.0}


def test_the_budget_is_per_key_so_other_keys_do_not_crowd_one_out() -> None:
    cases = [case("p1", "p"), case("f1", "f", primary=0.0, other=6.0), case("f2", "f", primary=0.0, other=6.0)]
    chosen = plan(cases, budget=6)
    assert [c.nodeid for c in chosen.selected] == ["p1", "f1"]
    assert chosen.wall_seconds(60) == 6.0  # the busiest key's 6 requests at one a second


def test_a_rate_limited_target_gets_a_default_budget_and_fewer_examples() -> None:
    assert default_budget(100, 2.0) == 150 and default_budget(0, 2.0) is None and default_budget(100, 0) is None
    assert hypothesis_examples(None, 25) == 25
    assert hypothesis_examples(150, 25) == 3 and hypothesis_examples(5000, 25) == 25


def test_a_requirement_whose_tests_were_all_left_out_is_not_run_never_passed() -> None:
    results = run_results.RunResults()
    results.record(run_results.TestResult("t::x", ["CAP-USE-07"], "SHOULD", "not-run", 0.0, "not run (budget)"))
    assert results.requirement_verdicts()["CAP-USE-07"]["verdict"] == "not-run"


def test_the_cost_table_knows_every_test_of_the_suites() -> None:
    """A new test gets a measured cost: run `python -m conformance.budget --write`."""
    functions = {node.name for module in SUITES.glob("test_*.py")
                 for node in ast.walk(ast.parse(module.read_text())) if isinstance(node, ast.FunctionDef)
                 and node.name.startswith("test_")}
    assert functions - set(load_costs()["tests"]) == set()
    assert property_tests() <= functions and len(property_tests()) >= 4
    assert cost_of(load_costs(), "test_no_such_function") == {"primary": 3.0}  # the documented default
    # Measured with the plan's own examples, which the property tests' costs are scaled from.
    assert load_costs()["measured_with"].startswith(MEASURED_PLAN.name)
    assert {entry.get("examples") for entry in load_costs()["tests"].values()} <= {
        None, MEASURED_PLAN.hypothesis_examples}
