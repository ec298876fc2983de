"""`python -m load`: a mistyped option or command is one line naming it, with "did you mean …" when
something is close, and exit 2 before anything starts (no target launched, no report folder)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.load.conftest import REPO

USAGE_TIMEOUT_SECONDS = 30


def load_command(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "load", *arguments], cwd=REPO, capture_output=True, text=True,
                          timeout=USAGE_TIMEOUT_SECONDS, check=False)


@pytest.mark.parametrize(("arguments", "expected"), [
    (["lst"], "python -m load: unknown command lst (did you mean list?)"),
    (["rnu", "steady_calls"], "python -m load: unknown command rnu (did you mean run?)"),
    ([], "python -m load: a command is needed: one of list, run (see python -m load --help)"),
    (["run", "steady_calls", "--usres", "5"], "python -m load run: unknown option --usres (did you mean --users?)"),
    (["run", "steady_calls", "--alow-remote"],
     "python -m load run: unknown option --alow-remote (did you mean --allow-remote?)"),
    (["run", "steady_calls", "--plan", "gate"], "python -m load run: unknown option --plan"),
    (["run", "steady_calls", "--shape", "stage"],
     "python -m load run: --shape stage: not one of stages (did you mean stages?)"),
    (["list", "--all"], "python -m load list: unknown option --all"),
], ids=["command-typo", "command-transposed", "no-command", "option-typo", "shared-option-typo",
        "option-of-another-program", "choice-typo", "option-on-list"])
def test_a_usage_error_is_one_line_and_exits_2_before_anything_runs(
        tmp_path: Path, arguments: list[str], expected: str):
    report_dir = tmp_path / "report"
    with_report = ["--report-dir", str(report_dir)] if arguments[:1] == ["run"] else []

    done = load_command(*arguments, *with_report)

    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [expected]
    assert done.stdout == ""
    assert not report_dir.exists()


@pytest.mark.parametrize("arguments", [["--help"], ["run", "--help"]])
def test_help_prints_the_usage_and_exits_0(arguments: list[str]):
    done = load_command(*arguments)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m load")
