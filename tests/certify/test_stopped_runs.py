"""A conformance step that makes the rest meaningless stops the main job: no load smoke, no Allure
report of nothing, a bundle that says INCOMPLETE with the suite's one-line cause (step detail,
summary.json, summary.html, the verdict line), and still the leak scan and a summary.json."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console

from conformance.certify import allure_html, steps
from conformance.certify.__main__ import main
from conformance.certify.outcome import StepResult
from conformance.certify.pipeline import CertificationRun, RunOptions
from conformance.certify.schema_check import certification_summary_schema, validation_errors

from .conftest import run_certify

# Longer than the whole stopped run takes: a run that still spent it on load would fail the bound.
LOAD_SECONDS = 10


def unused_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stopped_run(tmp_path: Path, *arguments: str) -> tuple[Any, Path, dict[str, Any], float]:
    """certify run --plan gate ARGUMENTS with a 10 s load smoke asked for: (process, bundle, summary, seconds)."""
    started = time.monotonic()
    done = run_certify("run", "--plan", "gate", "--load-seconds", str(LOAD_SECONDS),
                       "--reports-root", str(tmp_path / "out"), *arguments)
    seconds = time.monotonic() - started
    [bundle] = [p for p in (tmp_path / "out").iterdir() if p.name != "keys"]
    return done, bundle, json.loads((bundle / "summary.json").read_text()), seconds


def step(summary: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in summary["steps"] if s["name"] == name)


def assert_stopped_with(done: Any, bundle: Path, summary: dict[str, Any], cause: str) -> None:
    """Everything a reader looks at names `cause`, and nothing looks like a finished certification."""
    assert summary["verdict"] == "incomplete"
    assert summary["stopped"] == {"after": "conformance", "cause": cause}
    assert step(summary, "conformance")["detail"].startswith(cause)
    assert step(summary, "load")["status"] == "not run"
    assert summary["load"]["status"] == "not run"
    assert step(summary, "allure")["status"] == "not run"
    assert not (bundle / "load").exists() and not (bundle / "logs" / "load.log").exists()
    assert step(summary, "leak scan")["status"] == "passed"
    # The bundle is signed after summary.json is written: its line is on the terminal.
    assert "signed (Ed25519), verified: the evidence of a run that stopped, not a certification" in done.stderr
    page = (bundle / "summary.html").read_text()
    assert "Not a certification: the run stopped after the conformance step" in page
    assert cause.replace("'", "&#x27;") in page
    assert done.stdout.strip().splitlines()[-1] == f"VERDICT: INCOMPLETE — {cause} — bundle: {bundle}"
    assert f"exit {summary['exit_code']}  {cause}" in done.stderr
    assert validation_errors(summary, certification_summary_schema()) == []
    assert main(["verify", str(bundle)]) == 0


def test_an_unreachable_target_stops_the_job_after_conformance_with_the_suites_line(tmp_path: Path):
    target = f"http://127.0.0.1:{unused_loopback_port()}"

    done, bundle, summary, seconds = stopped_run(tmp_path, "--target", target)

    assert done.returncode == 3, done.stderr
    assert_stopped_with(done, bundle, summary, f"target unreachable: {target} (connection refused)")
    assert seconds < LOAD_SECONDS, "the stopped run still spent the load smoke's time"


def test_a_broken_profile_stops_the_job_and_every_problem_is_the_cause(tmp_path: Path):
    profile = tmp_path / "partner.toml"
    profile.write_text('[target]\nbase_url = "http://127.0.0.1:1"\nbase_ulr = "x"\n')

    done, bundle, summary, seconds = stopped_run(tmp_path, "--profile", str(profile))

    assert done.returncode == 2, done.stderr
    cause = summary["stopped"]["cause"]
    assert cause.startswith(f"profile error: {profile}: target.base_ulr: unknown key")
    assert f"profile error: {profile}: clients.primary: required role missing" in cause
    assert "\n" not in cause
    assert_stopped_with(done, bundle, summary, cause)
    assert seconds < LOAD_SECONDS


def test_an_option_pytest_refuses_is_the_cause_not_pytests_rootdir_line(tmp_path: Path):
    done, bundle, summary, _ = stopped_run(tmp_path, "--frobnicate")

    assert done.returncode == 2, done.stderr
    assert_stopped_with(done, bundle, summary, "suite error: unrecognized arguments: --frobnicate")
    assert "rootdir" not in json.dumps(summary["steps"])


# --- the rule, in process: which conformance outcomes stop the job -------------------------------------------------

def job_after(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, conformance: StepResult) -> tuple[int, list[str]]:
    """Run the job with `conformance` as the suite's result; (exit code, the load commands it started)."""
    loads: list[str] = []

    def fake_load(*_args: Any, **_kwargs: Any) -> tuple[StepResult, dict[str, Any]]:
        loads.append("load")
        return StepResult("load", 0, "passed", "all gates passed"), {"status": "passed", "exit_code": 0,
                                                                     "detail": "all gates passed"}

    def no_allure(*_args: Any) -> Path:
        raise allure_html.AllureUnavailable("not in this test")

    monkeypatch.setattr(steps, "run_conformance", lambda *_a, **_k: conformance)
    monkeypatch.setattr(steps, "run_load_smoke", fake_load)
    monkeypatch.setattr(allure_html, "render_single_file_report", no_allure)
    run = CertificationRun(RunOptions(reports_root=tmp_path, plan="gate"), Console(quiet=True))
    return run.run(Ed25519PrivateKey.generate(), None), loads


def test_required_tests_without_a_verdict_do_not_stop_the_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Exit 3 from a MUST with no verdict leaves the target up: the load smoke still has something to say."""
    code, loads = job_after(monkeypatch, tmp_path, StepResult("conformance", 3, "incomplete", "40 pass, 1 error"))

    assert (code, loads) == (3, ["load"])
    [bundle] = [p for p in tmp_path.iterdir() if p.name != "keys"]
    assert "stopped" not in json.loads((bundle / "summary.json").read_text())


def test_a_stop_skips_the_load_smoke_and_keeps_the_evidence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    cause = "the run stopped early: 3 failures in a row, the last: target timed out"
    code, loads = job_after(monkeypatch, tmp_path, StepResult("conformance", 3, "incomplete", cause,
                                                              stopped_because=cause))

    assert (code, loads) == (3, [])
    [bundle] = [p for p in tmp_path.iterdir() if p.name != "keys"]
    summary = json.loads((bundle / "summary.json").read_text())
    assert summary["stopped"]["cause"] == cause
    assert [s["name"] for s in summary["steps"]] == ["conformance", "load", "allure", "leak scan"]


@pytest.mark.parametrize(("code", "suite", "expected"), [
    (3, {"stopped": "target unreachable: http://127.0.0.1:9 (connection refused)"},
     "target unreachable: http://127.0.0.1:9 (connection refused)"),
    (3, {"stopped": "target did not start (reference.toml): exited 1"},
     "target did not start (reference.toml): exited 1"),
    (3, {"stopped": "3 failures in a row, the last: timed out", "counts": {"pass": 12}},
     "the run stopped early: 3 failures in a row, the last: timed out"),
    (1, {"stopped": "the run used up its time budget of 60 s", "counts": {"fail": 1}},
     "the run stopped early: the run used up its time budget of 60 s"),
    (2, {"stopped": "profile error: a.toml: x: unknown key\nprofile error: a.toml: y: unknown key"},
     "profile error: a.toml: x: unknown key; profile error: a.toml: y: unknown key"),
    (2, {"suite_errors": ["1 collection/setup error(s)"], "counts": {"pass": 3}},
     "suite error: 1 collection/setup error(s)"),
    (3, {"counts": {"pass": 40, "error": 1}}, ""),
    (1, {"counts": {"pass": 40, "fail": 1}}, ""),
    (0, {"counts": {"pass": 41}}, ""),
], ids=["unreachable", "not-started", "breaker", "budget-after-a-failure", "profile-errors", "suite-error",
        "no-verdict", "failure", "pass"])
def test_what_stops_the_job_and_the_cause_it_gives(tmp_path: Path, code: int, suite: dict[str, Any], expected: str):
    assert steps.suite_stop_cause(code, suite, tmp_path / "conformance.log") == expected


def test_a_crash_of_the_suite_names_its_last_error_line(tmp_path: Path):
    log = tmp_path / "conformance.log"
    log.write_text("$ python -m conformance.cli\nTraceback (most recent call last):\n  File x\n"
                   "ValueError: bad thing\n")

    assert steps.suite_stop_cause(-9, {}, log) == "suite error: ValueError: bad thing"
