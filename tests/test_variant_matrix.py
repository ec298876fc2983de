"""The fidelity property: every conformant variant of the reference server passes the suite.

Runs `fixtures.variant_matrix` for real: the reference server once per variant (two at a
time), the conformance suite (gate plan) at it with a profile that pins no HTTP status and
declares no behaviour. A failure here is a false failure the suite would inflict on a partner.
"""

from __future__ import annotations

from fixtures import variant_matrix
from fixtures.reference_server.variants import CATALOGUE


def test_every_conformant_variant_passes_the_suite() -> None:
    matrix = variant_matrix.build(jobs=2, plan="gate")
    assert len(matrix["variants"]) == len(CATALOGUE) >= 20
    problems = [f"{row['variant']}: exit {row['exit_code']}: {row['false_failures'][:3]}"
                for row in matrix["variants"] if not row["passed"]]
    assert problems == []


def test_a_variant_with_a_failing_test_would_be_reported_as_a_false_failure() -> None:
    """The matrix's own judgement can fail: exit 0 is not enough when a test failed, and vice versa."""
    assert variant_matrix.Row("v", "d", exit_code=0).passed
    assert not variant_matrix.Row("v", "d", exit_code=1).passed
    assert not variant_matrix.Row("v", "d", exit_code=0, false_failures=["test_x: failed"]).passed
