"""Report files (redaction, offline timeline) and run settings (loopback guard, polite pacing)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conformance.certify.leaks import leaks_in_bytes
from conformance.certify.offline import network_fetches
from conformance.profiles import load_profile
from conformance.profiles.target import is_loopback
from conformance.redaction import LabelledSecret
from load.reports import redact_locust_files, report_directory, timeline_html, write_summary, write_timeline
from load.settings import SettingsError, check_target_allowed, gates_for_run, task_rate, token_mode
from load.token_cache import TokenMode

A_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
A_SECRET = "kQfFHlRVBkgy9CqJAfGGEkVX0sLbq8J5EggKxBn7"


def test_report_folders_are_named_by_scenario_and_utc_time(tmp_path: Path):
    when = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)

    assert report_directory("expiry_wave", when, tmp_path) == tmp_path / "expiry_wave-20260102T030405.006000Z"


def test_the_summary_never_holds_a_secret_or_a_token(tmp_path: Path):
    path = write_summary(tmp_path, {"note": f"saw {A_TOKEN} with {A_SECRET}"}, [A_SECRET])

    text = path.read_text()
    assert leaks_in_bytes(text.encode(), [LabelledSecret("a secret", A_SECRET)]) == []
    # The shared redactor keeps a token's header and claims as evidence, never its signature.
    assert json.loads(text)["note"] == "saw eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.<signature redacted> with ***"


def test_redacting_locusts_files_rewrites_only_the_files_that_leak(tmp_path: Path):
    (tmp_path / "clean.csv").write_text("name,count\ncustomer.get,3\n")
    (tmp_path / "leaky.html").write_text(f"<p>{A_TOKEN}</p>")

    rewritten = redact_locust_files(tmp_path, [A_SECRET])

    assert rewritten == [tmp_path / "leaky.html"]
    assert "<signature redacted>" in (tmp_path / "leaky.html").read_text()
    assert leaks_in_bytes((tmp_path / "leaky.html").read_bytes(), [LabelledSecret("a secret", A_SECRET)]) == []


def test_the_timeline_is_self_contained_with_charts_axes_and_token_events_in_the_legend():
    page = timeline_html("expiry_wave on reference", {
        "columns": ["second", "requests", "failures", "mean_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"],
        "seconds": [[100, 10, 0, 2.0, 5.0, 2.0, 4.0, 5.0], [101, 12, 1, 3.0, 9.0, 3.0, 8.0, 9.0]],
        "events": [[100.5, "expiry", "local"], [100.6, "regeneration", "local"], [101.5, "expiry", "local"]],
        "herd": {"local": {"short_lived@100": 1}},
    }, {"metrics": {"expired_498_seen": 2, "leaked_498": 0, "herd": {"factor": 1.0}}})

    assert page.count('<svg class="chart"') == 2
    for text in ("requests/s", "failures/s", "p50", "p95", "p99", "498 expired (2)", "regenerated (1)", "milliseconds",
                 "seconds since the run started", "Herd: token generations per expiry (worst 1)"):
        assert f">{text}<" in page, text
    assert "<dt>herd factor</dt><dd>1.0</dd>" in page
    assert "<dt>leaked 498s</dt><dd>0</dd>" in page
    assert network_fetches(page) == []
    assert "<script" not in page and "<?xml" not in page


def test_our_own_files_are_redacted_when_written_and_not_read_again(tmp_path: Path):
    """Load redacts once: its own files as they are written, Locust's in one pass afterwards."""
    write_summary(tmp_path, {"note": A_SECRET}, [A_SECRET])
    (tmp_path / "timeline.html").write_text(f"<p>{A_SECRET}</p>")  # stands for a file the pass must not reread

    assert redact_locust_files(tmp_path, [A_SECRET]) == []
    assert A_SECRET not in (tmp_path / "summary.json").read_text()


def test_writing_the_timeline_keeps_its_data_beside_the_page(tmp_path: Path):
    timeline = {"seconds": [[100, 1, 0, 1.0, 1.0]], "events": [], "herd": {}}

    write_timeline(tmp_path, "steady_calls on reference", timeline)

    assert json.loads((tmp_path / "timeline.json").read_text()) == timeline
    assert "no token expired during the run" in (tmp_path / "timeline.html").read_text()


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8080", True), ("http://localhost", True), ("http://[::1]:9", True),
    ("https://eu.api.capillarytech.com", False), ("http://10.0.0.5", False),
])
def test_loopback_targets_are_recognised(url, loopback):
    assert is_loopback(url) is loopback


def test_a_remote_target_needs_an_explicit_allowance():
    with pytest.raises(SettingsError, match="--allow-remote"):
        check_target_allowed("https://eu.api.capillarytech.com", allow_remote=False)
    check_target_allowed("https://eu.api.capillarytech.com", allow_remote=True)


def test_polite_mode_shares_the_per_minute_budget_among_the_planned_users():
    assert task_rate(0.0, 5.0, polite=True, rate_limit_per_minute=90, planned_users=3) == pytest.approx(0.5)
    assert task_rate(0.2, 5.0, polite=True, rate_limit_per_minute=90, planned_users=3) == 0.2  # already slower
    assert task_rate(0.0, 5.0, polite=True, rate_limit_per_minute=0, planned_users=3) == 5.0  # no budget known
    assert task_rate(0.0, 5.0, polite=False, rate_limit_per_minute=90, planned_users=3) == 5.0


def test_token_mode_defaults_to_the_scenarios_and_refuses_unknown_names():
    assert token_mode("", TokenMode.PER_USER) is TokenMode.PER_USER
    assert token_mode("naive", TokenMode.PER_USER) is TokenMode.NAIVE
    with pytest.raises(SettingsError, match="single_flight"):
        token_mode("herd", TokenMode.PER_USER)


def test_failures_fail_the_run_by_default_and_the_cli_overrides_the_profile():
    profile = load_profile("reference")
    without_gates = replace(profile, load_gates={})

    assert gates_for_run(without_gates, []) == {"failure_ratio": 0.0}
    assert gates_for_run(profile, ["failure_ratio=0.05"])["failure_ratio"] == 0.05
    assert gates_for_run(profile, [])["customer.get.p95_ms"] == profile.load_gates["customer.get.p95_ms"]


def test_a_misspelt_gate_in_the_profile_is_refused_naming_the_profile():
    profile = replace(load_profile("reference"), load_gates={"customer.get.p95": 1.0})

    with pytest.raises(SettingsError, match=r"reference\.toml: unknown gate"):
        gates_for_run(profile, [])
