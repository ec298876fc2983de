"""`python -m conformance.certify`: a usage error is one line naming it (with "did you mean …" when
something is close), exit 2, before anything starts: no bundle, no key, no suite run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.environment import ENV

from .conftest import ROOT, run_certify

USAGE_TIMEOUT_SECONDS = 30


def one_line_usage_error(tmp_path: Path, *arguments: str, env_plan: str | None = None) -> str:
    """Run certify with `arguments` (bundles would go under tmp_path/out); assert exit 2, one stderr line,
    nothing written anywhere; return that line."""
    env = {k: v for k, v in os.environ.items() if k != ENV["plan"]}
    if env_plan is not None:
        env[ENV["plan"]] = env_plan
    done = subprocess.run([sys.executable, "-m", "conformance.certify", *arguments],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=USAGE_TIMEOUT_SECONDS,
                          check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert not (tmp_path / "out").exists(), "a usage error must start nothing, not even a bundle folder"
    return lines[0]


@pytest.mark.parametrize(("arguments", "expected"), [
    (["runn"], "python -m conformance.certify: unknown command runn (did you mean run?)"),
    (["rnu"], "python -m conformance.certify: unknown command rnu (did you mean run?)"),
    (["verfy", "x"], "python -m conformance.certify: unknown command verfy (did you mean verify?)"),
    (["run", "--plna", "gate"], "python -m conformance.certify run: unknown option --plna (did you mean --plan?)"),
    (["run", "--plna=gate"], "python -m conformance.certify run: unknown option --plna (did you mean --plan?)"),
    (["run", "--no-lod"], "python -m conformance.certify run: unknown option --no-lod (did you mean --no-load?)"),
    (["run", "--requirment", "CAP-TOK-01"],
     "python -m conformance.certify run: unknown option --requirment (did you mean --requirement?)"),
    (["run", "--plan", "gatee"],
     "python -m conformance.certify run: --plan gatee: not one of gate, certification, nightly (did you mean gate?)"),
    (["run", "--load-seconds", "0"],
     "python -m conformance.certify run: --load-seconds 0: the load smoke needs at least 1 s (or pass --no-load)"),
    (["verify", "bundle", "--pubic-key", "k.pem"],
     "python -m conformance.certify verify: unknown option --pubic-key (did you mean --public-key?)"),
], ids=["command-typo", "command-transposed", "verify-typo", "suite-option-typo", "typo-with-equals",
        "run-option-typo", "suite-only-option-typo", "plan-value", "load-seconds", "verify-option-typo"])
def test_a_usage_error_is_one_line_naming_it_and_exits_2_before_anything_starts(
        tmp_path: Path, arguments: list[str], expected: str):
    extra = ["--reports-root", str(tmp_path / "out")] if arguments[0] == "run" else []

    assert one_line_usage_error(tmp_path, *arguments, *extra) == expected


def test_a_plan_from_the_environment_is_checked_before_anything_starts(tmp_path: Path):
    line = one_line_usage_error(tmp_path, "run", "--reports-root", str(tmp_path / "out"), env_plan="gaet")

    assert line.startswith("python -m conformance.certify run: CAP_PLAN='gaet' is not one of")
    assert line.endswith("(did you mean gate?)")


def test_the_suite_option_that_certify_sets_itself_is_refused_with_what_to_use(tmp_path: Path):
    line = one_line_usage_error(tmp_path, "run", "--reports-dir", "x", "--reports-root", str(tmp_path / "out"))

    assert "--reports-dir is not for run" in line
    assert "--reports-root DIR" in line


def test_a_missing_command_names_the_commands(tmp_path: Path):
    line = one_line_usage_error(tmp_path)

    assert line == ("python -m conformance.certify: a command is needed: one of run, verify, leak-scan, drift, "
                    "allure-html (see python -m conformance.certify --help)")


@pytest.mark.parametrize("arguments", [["--help"], ["-h"], ["run", "--help"]])
def test_help_prints_the_usage_and_exits_0(arguments: list[str]):
    done = run_certify(*arguments, timeout=USAGE_TIMEOUT_SECONDS)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m conformance.certify")


def test_an_option_the_suite_knows_is_not_mistaken_for_a_typo(tmp_path: Path):
    """--requirement is the suite's, not run's: it goes through (here the run then stops at an unreachable target)."""
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    done = run_certify("run", "--no-load", "--target", f"http://127.0.0.1:{port}", "--requirement", "CAP-TOK-01",
                       "--reports-root", str(tmp_path / "out"), timeout=60)

    assert done.returncode == 3, done.stderr
    assert "unknown option" not in done.stderr
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("below", ["", "sub"], ids=["a-file", "under-a-file"])
def test_a_reports_root_that_cannot_hold_bundles_is_one_line_and_exit_2(tmp_path: Path, below: str):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the bundles would go")
    root = blocker / below if below else blocker

    done = run_certify("run", "--no-load", "--reports-root", str(root), timeout=USAGE_TIMEOUT_SECONDS)

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"python -m conformance.certify run: --reports-root {root}: not a directory ({blocker} is a file)"]
    assert blocker.read_text() == "a file where the bundles would go"
