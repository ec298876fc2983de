"""The expiry wave: one regeneration per expiry per process with single-flight, a herd without it."""

from __future__ import annotations

from pathlib import Path

from tests.load.conftest import run_load

WAVE = ["-u", "20", "-r", "100", "-t", "4s"]


def test_single_flight_regenerates_exactly_once_per_expiry_per_process(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "expiry_wave", "--target", reference_target, *WAVE,
                      "--token-mode", "single_flight", "--gate", "herd_factor=1")
    metrics = result.summary["metrics"]
    [per_process] = metrics["herd"]["per_process"].values()

    assert result.exit_code == 0, result.output
    assert per_process["expiries"] >= 1
    assert per_process["max"] == 1
    assert per_process["mean"] == 1
    assert metrics["token_generations"]["regeneration"] == per_process["expiries"]
    assert metrics["expired_498_seen"] > metrics["token_generations"]["regeneration"]  # many saw it, one acted


def test_naive_sharing_regenerates_more_than_once_per_expiry(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "expiry_wave", "--target", reference_target, *WAVE, "--token-mode", "naive")
    metrics = result.summary["metrics"]

    assert result.exit_code == 0, result.output
    assert metrics["herd"]["factor"] > 1
    assert metrics["leaked_498"] == 0
