"""The fidelity property: every conformant variant of the reference server passes the suite.

Runs `fixtures.variant_matrix` for real: the reference server once per variant (two at a
time), the conformance suite (gate plan) at it with a profile that pins no HTTP status and
declares no behaviour. A failure here is a false failure the suite would inflict on a partner.
"""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(("argv", "message"), [
    (["--variant", "gzip", "--write"], "--write records the whole matrix"),
    (["--variant", "gzipp"], "did you mean gzip?"),
])
def test_a_selection_with_write_or_a_name_the_catalogue_lacks_is_a_usage_error(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        variant_matrix.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
