"""Faulty clients that leak their secret or drop their till are caught; a leaked secret never reaches
any output of the judge (the trace holds it, the bundle must not)."""

from __future__ import annotations

import sys
from pathlib import Path

from conformance.certify.leaks import profile_secrets, scan_for_leaks
from conformance.profiles import load_profile
from tests.judge.conftest import Judge
from tests.judge.faulty import judged


def test_client_that_sends_its_secret_in_the_query_string_is_caught_by_cap_cli_04(tmp_path: Path) -> None:
    assert judged("secret_in_query", tmp_path).failing_requirements == ["CAP-CLI-04"]


def test_client_that_writes_its_secret_into_a_log_header_is_caught_by_cap_cli_04(tmp_path: Path) -> None:
    assert judged("secret_in_log_header", tmp_path).failing_requirements == ["CAP-CLI-04"]


def test_client_without_the_till_header_its_profile_declares_is_caught_by_cap_cli_09(tmp_path: Path) -> None:
    assert judged("no_till_header", tmp_path).failing_requirements == ["CAP-CLI-09"]


def test_no_output_of_the_judge_holds_a_secret_the_client_leaked_everywhere(judge: Judge) -> None:
    secret = str(load_profile("reference").clients["short_lived"].secret)
    # The client prints its secret, sends it in the query string and in a header: every output is scanned.
    leaky = ["sh", "-c", 'echo "my secret is $CAP_CLIENT_SECRET"; '
             f'exec {sys.executable} -m fixtures.clients.faulty secret_in_log_header']
    run = judge("--scenario", "expire_on_call", "--scenario", "short_lived", command=leaky)
    assert run.code == 1 and run.failing() == ["CAP-CLI-04"]
    assert "my secret is ***" in (run.bundle / "client.log").read_text(encoding="utf-8")
    leaks, scanned = scan_for_leaks([run.bundle], profile_secrets(load_profile("reference")))
    assert scanned >= 8 and leaks == []
    assert secret not in run.done.stdout + run.done.stderr
