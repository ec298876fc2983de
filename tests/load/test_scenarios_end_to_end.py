"""Every scenario, headless for a few seconds against the real reference server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.load.conftest import leaks_in_reports, run_load

REPORT_FILES = ["locust.html", "locust_stats.csv", "summary.json", "timeline.html"]


def token_storm_checked_both_kinds_of_credentials(result):
    assert result.operation("token.generate")["requests"] > 0
    assert result.operation("token.generate.invalid")["requests"] > 0  # each rejected with 320001, or it fails
    assert result.summary["metrics"]["token_generations"]["direct"] == result.operation("token.generate")["requests"]


def steady_calls_read_and_wrote_customers_and_transactions(result):
    for operation in ("customer.add", "customer.get", "transaction.add", "transaction.get"):
        assert result.operation(operation)["requests"] > 0


def expiring_tokens_were_regenerated_and_retried_without_a_leak(result):
    metrics = result.summary["metrics"]
    assert metrics["expired_498_seen"] > 0
    assert metrics["token_generations"]["regeneration"] > 0
    assert metrics["leaked_498"] == 0
    assert metrics["herd"]["factor"] == 1
    assert result.operation("customer.get.regen")["method"] == "REGEN"
    assert "expiry" in (result.report_dir / "timeline.html").read_text()


def per_user_tokens_expired_together_as_a_herd(result):
    assert result.summary["settings"]["token_mode"] == "per_user"
    assert result.summary["metrics"]["herd"]["factor"] > 1


SCENARIO_RUNS = [
    pytest.param("token_storm", ["-u", "5", "-t", "3s", "--invalid-share", "0.3"],
                 token_storm_checked_both_kinds_of_credentials, id="token_storm"),
    pytest.param("steady_calls", ["-u", "5", "-t", "3s"],
                 steady_calls_read_and_wrote_customers_and_transactions, id="steady_calls"),
    pytest.param("expiry_regeneration", ["-u", "5", "-t", "4s"],
                 expiring_tokens_were_regenerated_and_retried_without_a_leak, id="expiry_regeneration"),
    pytest.param("expiry_wave", ["-u", "10", "-r", "50", "-t", "4s"],
                 per_user_tokens_expired_together_as_a_herd, id="expiry_wave"),
]


@pytest.mark.parametrize(("scenario", "arguments", "scenario_specific_check"), SCENARIO_RUNS)
def test_each_scenario_passes_its_gates_and_writes_reports_without_secrets(
    scenario, arguments, scenario_specific_check, tmp_path: Path, reference_target, reference_profile,
):
    result = run_load(tmp_path / scenario, scenario, "--target", reference_target, *arguments)

    assert result.exit_code == 0, result.output
    assert all((result.report_dir / name).is_file() for name in REPORT_FILES)
    assert result.summary["exit_code"] == 0
    assert result.summary["total"]["failures"] == 0
    assert leaks_in_reports(result.report_dir, reference_profile.secrets()) == []
    scenario_specific_check(result)


def test_a_run_without_a_target_launches_the_reference_server_and_stops_it(tmp_path: Path):
    result = run_load(tmp_path, "steady_calls", "-u", "2", "-t", "2s")

    assert result.exit_code == 0, result.output
    assert result.summary["launched_target"] is True
    target = urlsplit(result.summary["target"])
    with pytest.raises(ConnectionRefusedError), socket.create_connection((target.hostname, target.port), timeout=2):
        pass  # the server the run launched is gone


def test_the_stages_shape_runs_with_any_scenario(tmp_path: Path, reference_target):
    result = run_load(tmp_path, "steady_calls", "--target", reference_target, "--shape", "stages",
                      "-u", "3", "-t", "3s")

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


class AlwaysThrottled(BaseHTTPRequestHandler):
    def _throttle(self) -> None:
        body = b'{"errors": [{"code": 429, "message": "Too many requests"}]}'
        self.send_response(429)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _throttle

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def throttling_target() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AlwaysThrottled)
    server.request_queue_size = 64  # the default backlog of 5 resets connections under load
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_throttled_answers_are_counted_apart_from_failures(tmp_path: Path, throttling_target):
    result = run_load(tmp_path, "token_storm", "--target", throttling_target, "-u", "3", "-t", "2s",
                      "--invalid-share", "0")

    assert result.exit_code == 0, result.output
    assert result.summary["metrics"]["throttled_429"] > 0
    assert result.summary["total"]["failures"] == 0
    assert result.operation("token.generate.throttled")["requests"] == result.summary["metrics"]["throttled_429"]
