"""The one outcome vocabulary: exit codes and the order that combines them."""

from __future__ import annotations

import pytest

from conformance.outcome import (
    SEVERITY_ORDER,
    ExitCode,
    as_exit_code,
    verdict_for,
    verdict_severity,
    worst,
)
from conformance.plugin import results as plugin_results  # TestResult by module: pytest would collect it


def test_exit_codes_are_the_documented_numbers() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3]


def test_the_documented_order_error_beats_failure_beats_incomplete_beats_conformant() -> None:
    assert SEVERITY_ORDER == (ExitCode.CONFORMANT, ExitCode.INCOMPLETE, ExitCode.NOT_CONFORMANT, ExitCode.ERROR)


@pytest.mark.parametrize(("codes", "expected"), [
    ([0, 0], 0), ([0, 3], 3), ([3, 1], 1), ([1, 2], 2), ([3, 2, 1], 2), ([0, 5], 2), ([0, -9], 2), ([], 0),
], ids=["all-conformant", "incomplete-beats-conformant", "failure-beats-incomplete", "error-beats-failure",
        "error-beats-all", "unknown-code-is-an-error", "signal-is-an-error", "nothing-is-conformant"])
def test_the_worst_code_wins(codes: list[int], expected: int) -> None:
    assert worst(codes) == expected
    assert isinstance(worst(codes), ExitCode)


def test_a_crash_code_reads_as_an_error() -> None:
    assert as_exit_code(139) is ExitCode.ERROR


@pytest.mark.parametrize(("code", "verdict"), [(0, "conformant"), (1, "not conformant"), (2, "incomplete"),
                                               (3, "incomplete"), (-11, "incomplete")])
def test_an_error_certifies_nothing_so_it_reads_as_incomplete(code: int, verdict: str) -> None:
    assert verdict_for(code) == verdict


def merged_verdict(phases: list[str]) -> str | None:
    """The verdict the plugin keeps for one test whose phases reported these (RunResults.record)."""
    results = plugin_results.RunResults()
    for verdict in phases:
        results.record(plugin_results.TestResult("suites/test_x.py::test_y", ["CAP-USE-01"], "MUST", verdict, 0.1))
    merged = results.tests.get("suites/test_x.py::test_y")
    return merged.verdict if merged is not None else None


def test_a_test_failing_in_its_call_and_erroring_in_teardown_is_a_failure() -> None:
    assert merged_verdict(["pass", "fail", "error"]) == "fail"
    assert merged_verdict(["error", "fail"]) == "fail"
    assert max(["pass", "fail", "error"], key=verdict_severity) == "fail"  # the order the merge uses


@pytest.mark.parametrize(("phases", "expected"), [
    (["pass", "pass", "pass"], "pass"),
    (["pass", "skipped"], "skipped"),
    (["pass", "warning", "pass"], "warning"),
    (["warning", "error"], "error"),
    (["skipped", "xfail"], "skipped"),  # equals: the first stays
], ids=["all-pass", "skip-over-pass", "warning-over-pass", "error-over-warning", "first-of-equals"])
def test_verdicts_combine_by_the_exit_code_order(phases: list[str], expected: str) -> None:
    assert merged_verdict(phases) == expected


def test_no_verdict_at_all_is_none() -> None:
    assert merged_verdict([]) is None


def test_an_unknown_verdict_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'passed'"):
        verdict_severity("passed")
