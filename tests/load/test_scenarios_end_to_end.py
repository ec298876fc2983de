"""Every scenario, headless for a few seconds against the real reference server."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.load.conftest import leaks_in_reports, run_load

SCENARIO_RUNS = [
    pytest.param("token_storm", ["-u", "5", "-t", "3s"], id="token_storm"),
    pytest.param("steady_calls", ["-u", "5", "-t", "3s"], id="steady_calls"),
    pytest.param("expiry_regeneration", ["-u", "5", "-t", "4s"], id="expiry_regeneration"),
    pytest.param("expiry_wave", ["-u", "10", "-r", "50", "-t", "4s"], id="expiry_wave"),
]
REPORT_FILES = ["locust.html", "locust_stats.csv", "summary.json", "timeline.html"]


@pytest.mark.parametrize(("scenario", "arguments"), SCENARIO_RUNS)
def test_each_scenario_passes_its_gates_and_writes_reports_without_secrets(
    scenario, arguments, tmp_path: Path, reference_target, reference_profile,
):
    result = run_load(tmp_path / scenario, scenario, "--target", reference_target, *arguments)

    assert result.exit_code == 0, result.output
    assert all((result.report_dir / name).is_file() for name in REPORT_FILES)
    assert result.summary["exit_code"] == 0
    assert result.summary["total"]["failures"] == 0
    assert leaks_in_reports(result.report_dir, reference_profile.secrets()) == []


def test_the_token_storm_checks_valid_and_invalid_credentials(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "token_storm", "--target", reference_target, "-u", "4", "-t", "3s",
                      "--invalid-share", "0.5")

    assert result.exit_code == 0, result.output
    assert result.operation("token.generate")["requests"] > 0
    assert result.operation("token.generate.invalid")["requests"] > 0
    assert result.operation("token.generate.invalid")["failures"] == 0  # every one rejected with 320001
    assert result.summary["metrics"]["token_generations"]["direct"] == result.operation("token.generate")["requests"]


def test_expiring_tokens_are_regenerated_and_retried_without_leaking_a_498(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "expiry_regeneration", "--target", reference_target, "-u", "5", "-t", "4s",
                      "--gate", "herd_factor=1")
    metrics = result.summary["metrics"]

    assert result.exit_code == 0, result.output
    assert metrics["expired_498_seen"] > 0
    assert metrics["token_generations"]["regeneration"] > 0
    assert metrics["leaked_498"] == 0
    assert result.operation("customer.get.regen")["method"] == "REGEN"
    assert "expiry" in (result.report_dir / "timeline.html").read_text()


def test_a_run_without_a_target_launches_the_reference_server_and_stops_it(tmp_path: Path):
    result = run_load(tmp_path, "steady_calls", "-u", "2", "-t", "2s")

    assert result.exit_code == 0, result.output
    assert result.summary["launched_target"] is True
    target = urlsplit(result.summary["target"])
    with pytest.raises(ConnectionRefusedError), socket.create_connection((target.hostname, target.port), timeout=2):
        pass  # the server the run launched is gone


def test_the_stages_shape_runs_with_any_scenario(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "steady_calls", "--target", reference_target, "--shape", "stages",
                      "-u", "3", "-t", "4s")

    assert result.exit_code == 0, result.output
    assert result.summary["settings"]["shape"] == "StagesShape"


def test_polite_mode_paces_users_to_the_profiles_rate_limit(tmp_path: Path, reference_target, reference_profile):
    polite = tmp_path / "polite.toml"
    polite.write_text(reference_profile.source.read_text().replace(
        "rate_limit_per_minute = 0", "rate_limit_per_minute = 300"))
    result = run_load(tmp_path / "report", "steady_calls", "--profile", str(polite), "--target", reference_target,
                      "--polite", "-u", "5", "-t", "3s", "--gate", "min_rate_ratio=0.7")

    assert result.exit_code == 0, result.output
    assert result.summary["settings"]["task_rate_per_user"] == pytest.approx(1.0)  # 300/min shared by 5 users
    assert result.summary["metrics"]["throttled_429"] == 0
