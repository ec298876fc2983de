"""The judged run's bundle: a secret the redactor did not know still never passes unseen (exit 2, a
line naming the file and what leaked, never the value)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.certify.bundle import verify_bundle
from conformance.judge.checks import JudgeSettings, judge
from conformance.judge.report import JudgedRun, write_bundle
from conformance.judge.scenarios import Schedule
from conformance.judge.verdicts import exit_code, incomplete_reasons, requirement_rows
from conformance.profiles import load_profile
from conformance.redaction import Redactor
from tests.judge.traces import TraceBuilder


def _run_with_the_secret_in_a_log_header() -> tuple[JudgedRun, str]:
    profile = load_profile("reference")
    primary = profile.clients["primary"]
    secret = str(primary.secret)
    b = TraceBuilder()
    token = b.token(0.0, key=primary.key, secret=secret)
    b.call(0.1, token, headers={"X-Client-Log": f"auth with {secret}"})  # not shaped like a secret
    trace = b.trace()
    rows = requirement_rows(judge(trace, JudgeSettings()), till_declared=False)
    reasons = incomplete_reasons(rows, len(trace), 0)
    run = JudgedRun(profile, "primary", "http://127.0.0.1:9", "http://127.0.0.1:8", ["./client"],
                    Schedule.from_seed(1, frozenset()), trace, rows, exit_code(rows, strict=False, incomplete=reasons),
                    reasons, None, False, "2026-01-01T00:00:00+00:00", [])
    return run, secret


def test_a_secret_the_redactor_did_not_know_makes_the_bundle_exit_2_naming_the_file(tmp_path: Path) -> None:
    run, secret = _run_with_the_secret_in_a_log_header()
    assert run.judge_exit_code != 2
    code, lines = write_bundle(tmp_path, run, Redactor(), Ed25519PrivateKey.generate())
    assert code == 2
    exchanges = f"{tmp_path / 'exchanges.jsonl'}: client secret of role 'primary'"
    assert any(line.startswith(exchanges) for line in lines), lines
    assert not any(secret in line for line in lines)
    assert verify_bundle(tmp_path) == []  # signed all the same: the evidence of the leak is kept intact


def test_the_same_run_with_the_profiles_secrets_known_writes_a_clean_bundle(tmp_path: Path) -> None:
    run, _ = _run_with_the_secret_in_a_log_header()
    code, lines = write_bundle(tmp_path, run, Redactor(run.profile.secrets()), Ed25519PrivateKey.generate())
    assert (code, lines) == (run.judge_exit_code, [])
