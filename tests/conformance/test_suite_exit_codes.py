"""The suite's exit codes and first lines, as CI and users see them (subprocess runs)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conformance.profiles.loader import PROFILES_DIR
from tests.support import run_suite


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_target_exits_3_with_one_line(tmp_path: Path) -> None:
    run = run_suite(tmp_path, f"--target=http://127.0.0.1:{free_port()}", "--plan=gate")
    assert run.exit_code == 3
    assert "target unreachable: http://127.0.0.1:" in run.output and "connection refused" in run.output
    assert "Traceback" not in run.output and run.output.count("target unreachable") == 1


def test_broken_profile_exits_2_naming_the_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text((PROFILES_DIR / "reference.toml").read_text().replace("timeout_seconds = 10",
                                                                             "timeout_seconds = 'soon'"))
    run = run_suite(tmp_path, f"--profile={broken}", "--plan=gate")
    assert run.exit_code == 2
    assert f"{broken}: target.timeout_seconds: expected float" in run.output and "Traceback" not in run.output


def test_wrong_credentials_in_the_profile_exit_2_naming_the_role(tmp_path: Path) -> None:
    broken = tmp_path / "wrong-secret.toml"
    text = (PROFILES_DIR / "reference.toml").read_text()
    broken.write_text(text.replace('secret = "kQfFHlRVBkgy9CqJAfGGEkVX0sLbq8J5EggKxBn7"', 'secret = "wrong"'))
    # The copied profile launches the server relative to its own folder: point it back at the repo.
    broken.write_text(broken.read_text().replace('cwd = "../.."', f'cwd = "{PROFILES_DIR.parent.parent}"'))
    run = run_suite(tmp_path, f"--profile={broken}", "--plan=gate")
    assert run.exit_code == 2, run.output[-2000:]
    assert "clients.primary.key and .secret" in run.output


class _Junk(BaseHTTPRequestHandler):
    status = 200

    def _answer(self) -> None:
        body = b"<html><body>Service temporarily unavailable</body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=[200, 500], ids=["html-200", "html-500"])
def junk_server(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Junk", (_Junk,), {"status": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_server_answering_html_gets_failures_with_evidence_not_crashes(tmp_path: Path, junk_server: str) -> None:
    run = run_suite(tmp_path, f"--target={junk_server}", "--plan=gate")
    assert run.exit_code == 1, run.output[-3000:]
    assert run.summary is not None
    assert run.summary["requirements"]["CAP-TOK-01"]["verdict"] == "fail"
    failed = [t for t in run.summary["tests"] if t["verdict"] == "fail"]
    assert failed and all(t["exchanges"] for t in failed[:5]), "failures carry exchange ids as evidence"
    assert "INTERNALERROR" not in run.output


def _conformance(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conformance.cli", f"--reports-dir={tmp_path}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_mistyped_option_exits_2_with_one_line_and_a_summary(tmp_path: Path) -> None:
    done = _conformance(tmp_path, "--plna", "gate")
    assert done.returncode == 2
    assert done.stderr.strip() == "capillary-conformance: unknown option --plna (did you mean --plan?)"
    assert json.loads((tmp_path / "summary.json").read_text())["exit_code"] == 2


def test_an_option_nobody_knows_is_a_usage_error_2_with_a_summary(tmp_path: Path) -> None:
    done = _conformance(tmp_path, "--frobnicate")
    assert done.returncode == 2 and "--frobnicate" in done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["exit_code"] == 2 and summary["suite_errors"] == ["unrecognized arguments: --frobnicate"]
