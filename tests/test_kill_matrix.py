"""Issue 4's always-green property: the suite catches every reference-server fault.

Runs `fixtures.kill_matrix` for real: one reference server per fault (two at a time), the
conformance suite (gate plan, `--strict`, the tests of the violated requirements) against it,
plus one full run against the unfaulted server.
"""

from __future__ import annotations

from fixtures import kill_matrix


def test_every_fault_is_caught_and_the_clean_server_passes() -> None:
    matrix = kill_matrix.build(jobs=2, plan="gate")
    assert matrix["unfaulted"]["exit_code"] == 0, matrix["unfaulted"]
    assert len(matrix["faults"]) >= 25
    problems = [f"{row['fault']}: exit {row['exit_code']}, failing requirements {row['failing_requirements']}, "
                f"violates {row['violates']}" for row in matrix["faults"] if not row["caught"]]
    assert problems == []
    assert matrix["must_requirements_without_fault"] == []


def test_a_fault_that_breaks_nothing_the_suite_checks_would_be_reported_uncaught() -> None:
    """The matrix's own judgement can fail: a row whose failures miss the violated ids is not caught."""
    row = kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=1, failing_requirements=["CAP-TOK-01"])
    assert not row.caught
    assert not kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=0, failing_requirements=["CAP-USE-03"]).caught
    assert kill_matrix.Row("f", "d", ["CAP-USE-03"], exit_code=1, failing_requirements=["CAP-USE-03"]).caught
