"""Master and two workers on loopback: metrics from both workers reach the master's summary."""

from __future__ import annotations

from pathlib import Path

from tests.load.conftest import leaks_in_reports, run_load


def test_master_with_two_workers_aggregates_both_workers_metrics(tmp_path: Path, reference_target, reference_profile):
    result = run_load(tmp_path, "expiry_regeneration", "--target", reference_target, "--workers", "2",
                      "-u", "6", "-r", "20", "-t", "4s", "--gate", "herd_factor=1")
    metrics = result.summary["metrics"]

    assert result.exit_code == 0, result.output
    assert len(metrics["workers_reported"]) == 2
    assert set(metrics["herd"]["per_process"]) == set(metrics["workers_reported"])  # both saw expiries
    # Per-process caches: each worker mints its own first token and one regeneration per expiry.
    assert metrics["token_generations"]["initial"] == 2
    assert metrics["expired_498_seen"] > 0
    assert set(metrics["generator_cpu_percent"]) == {"master", *metrics["workers_reported"]}
    assert result.summary["settings"]["expected_workers"] == 2
    assert leaks_in_reports(result.report_dir, reference_profile.secrets()) == []
