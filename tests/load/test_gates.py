"""Gate evaluation and the exit code: a pure function of a stats snapshot."""

from __future__ import annotations

import pytest

from conformance.outcome import ExitCode
from load.gates import (
    GateError,
    effective_gates,
    evaluate_gates,
    exit_code,
    invalid_run_reasons,
    parse_gate_assignments,
)


def snapshot(**metrics):
    return {
        "operations": {
            "customer.get": {"requests": 100, "p95_ms": 12.0, "p99_ms": 40.0, "failure_ratio": 0.0, "rps": 50.0},
            "token.generate": {"requests": 3, "p95_ms": 20.0, "p99_ms": 20.0, "failure_ratio": 0.0, "rps": 1.0},
        },
        "total": {"requests": 103, "failure_ratio": 0.01, "rps": 51.0},
        "metrics": {"leaked_498": 0, "herd_factor": 1.0, "rate_ratio": 0.97, "busiest_generator_cpu": 20.0,
                    "http_answers": 103, "workers_reported": [], **metrics},
    }


def verdicts(gates, snap=None):
    return {r.name: r.passed for r in evaluate_gates(gates, snap or snapshot())}


def test_an_operation_percentile_gate_passes_at_or_under_its_threshold_and_fails_over_it():
    assert verdicts({"customer.get.p95_ms": 12.0, "customer.get.p99_ms": 39.9}) == {
        "customer.get.p95_ms": True, "customer.get.p99_ms": False,
    }


def test_run_wide_gates_read_failures_leaks_and_herd_factor():
    assert verdicts({"failure_ratio": 0.0, "leaked_498": 0, "herd_factor": 1}) == {
        "failure_ratio": False, "leaked_498": True, "herd_factor": True,
    }


def test_min_gates_are_lower_bounds():
    assert verdicts({"min_rate_ratio": 0.9, "customer.get.min_rps": 60}) == {
        "min_rate_ratio": True, "customer.get.min_rps": False,
    }


def test_a_gate_on_an_operation_the_run_never_made_is_not_measured_rather_than_failed():
    [result] = evaluate_gates({"transaction.get.p95_ms": 100}, snapshot())

    assert result.passed is None
    assert exit_code([result], []) == ExitCode.CONFORMANT
    assert "not measured" in result.describe()


def test_a_failed_gate_is_described_with_its_measured_value_and_threshold():
    [result] = evaluate_gates({"customer.get.p95_ms": 0.001}, snapshot())

    assert result.describe() == "gate customer.get.p95_ms FAILED: measured 12, required <= 0.001"
    assert exit_code([result], []) == ExitCode.NOT_CONFORMANT


def test_an_invalid_run_exits_3_even_when_a_gate_also_failed():
    results = evaluate_gates({"customer.get.p95_ms": 0.001}, snapshot())

    assert exit_code(results, ["no requests were made"]) == ExitCode.INCOMPLETE


@pytest.mark.parametrize(
    ("snap", "expected_words"),
    [
        pytest.param({"total": {"requests": 0}, "metrics": {}}, "no requests", id="no-requests"),
        pytest.param(snapshot(http_answers=0), "no HTTP answer", id="target-answers-nothing"),
        pytest.param(snapshot(busiest_generator_cpu=97.5), "97.5% CPU", id="saturated-generator"),
    ],
)
def test_a_run_is_invalid_when_its_numbers_cannot_be_trusted(snap, expected_words):
    [reason] = invalid_run_reasons(snap)

    assert expected_words in reason


def test_a_run_is_invalid_when_expected_workers_did_not_report():
    [reason] = invalid_run_reasons(snapshot(workers_reported=["w1"]), expected_workers=2)

    assert reason == "1 of 2 expected workers reported metrics"


def test_a_healthy_run_has_no_invalid_reasons():
    assert invalid_run_reasons(snapshot(workers_reported=["w1", "w2"]), expected_workers=2) == []


def test_cli_gates_override_profile_gates():
    cli = parse_gate_assignments(["customer.get.p95_ms=0.5", "herd_factor=1"])

    assert effective_gates({"customer.get.p95_ms": 150, "leaked_498": 0}, cli) == {
        "customer.get.p95_ms": 0.5, "leaked_498": 0, "herd_factor": 1.0,
    }


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        pytest.param("customer.get.p95_ms", "expected NAME=VALUE", id="no-value"),
        pytest.param("customer.get.p95_ms=fast", "is not a number", id="not-a-number"),
        pytest.param("herd_factr=1", "did you mean 'herd_factor'", id="typo-suggests"),
        pytest.param("customer.get.p96=1", "unknown gate", id="unknown-statistic"),
    ],
)
def test_a_malformed_gate_is_refused_with_a_fix(assignment, message):
    with pytest.raises(GateError, match=message):
        parse_gate_assignments([assignment])
