"""Exit codes of `python -m load run`: 1 for a failed gate, 3 for an invalid run, 2 for usage."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.load.conftest import run_load


def unused_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_gate_exits_1_and_prints_the_measured_value_and_threshold(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "steady_calls", "--target", reference_target, "-u", "3", "-t", "3s",
                      "--gate", "customer.get.p95_ms=0.001")

    assert result.exit_code == 1, result.output
    assert "gate customer.get.p95_ms FAILED: measured" in result.output
    assert "required <= 0.001" in result.output
    [gate] = [g for g in result.summary["gates"] if g["name"] == "customer.get.p95_ms"]
    assert gate["passed"] is False


def test_a_target_that_answers_nothing_makes_the_run_invalid_with_exit_3(tmp_path: Path):
    result = run_load(tmp_path, "steady_calls", "--target", f"http://127.0.0.1:{unused_loopback_port()}",
                      "-u", "2", "-t", "2s")

    assert result.exit_code == 3, result.output
    assert any("no HTTP answer" in reason for reason in result.summary["invalid_reasons"])


def test_an_unknown_gate_is_a_usage_error_before_anything_runs(tmp_path: Path):
    result = run_load(tmp_path, "steady_calls", "--gate", "customer.get.p96=1")

    assert result.exit_code == 2
    assert "unknown gate" in result.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_an_unknown_scenario_is_a_usage_error_with_a_suggestion(tmp_path: Path):
    result = run_load(tmp_path, "steady_call")

    assert result.exit_code == 2
    assert "did you mean 'steady_calls'" in result.output


def test_a_remote_target_is_refused_without_allow_remote(tmp_path: Path):
    result = run_load(tmp_path, "steady_calls", "--target", "https://eu.api.capillarytech.com")

    assert result.exit_code == 2
    assert "--allow-remote" in result.output
