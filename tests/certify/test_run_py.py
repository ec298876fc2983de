"""run.py, the fresh-machine entry point: `--help` exits 0, a mistyped command is one line with
"did you mean …" and exit 2, and neither creates `.venv/` (run.py is stdlib only: these run it
from a temporary copy with `python -S`, so not even site-packages are there to lean on)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, load_run_py

TIMEOUT_SECONDS = 30
COMMANDS = list(load_run_py().COMMANDS)


def run_py(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """run.py ARGUMENTS from a copy in tmp_path (where a .venv would appear), without site-packages."""
    shutil.copy(ROOT / "run.py", tmp_path / "run.py")
    return subprocess.run([sys.executable, "-S", "run.py", *arguments], cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS, check=False)


@pytest.mark.parametrize(("arguments", "expected"), [
    (["certfy"], "run.py: unknown command certfy (did you mean certify?)"),
    (["test"], "run.py: unknown command test (did you mean tests?)"),
    (["lod", "run", "steady_calls"], "run.py: unknown command lod (did you mean load?)"),
    (["frobnicate"], f"run.py: unknown command frobnicate (commands: {', '.join(COMMANDS)})"),
    (["--hlep"], "run.py: unknown option --hlep (did you mean --help?)"),
    (["--plna", "gate"], f"run.py: unknown option --plna (a command comes first, one of {', '.join(COMMANDS)})"),
    ([], f"run.py: a command is needed: one of {', '.join(COMMANDS)} (see python3 run.py --help)"),
], ids=["certify-typo", "tests-singular", "load-typo", "nothing-close", "help-typo", "option-first", "no-command"])
def test_a_mistyped_command_is_one_line_exit_2_and_no_venv(tmp_path: Path, arguments: list[str], expected: str):
    done = run_py(tmp_path, *arguments)

    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [expected]
    assert done.stdout == ""
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_prints_the_usage_with_every_command_and_exits_0(tmp_path: Path, option: str):
    done = run_py(tmp_path, option)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].startswith("usage: python3 run.py COMMAND")
    listed = [line.split()[0] for line in done.stdout.splitlines() if line.startswith("    ")]
    assert sorted(listed) == sorted(COMMANDS)
    assert not (tmp_path / ".venv").exists()


def test_the_readme_lists_every_run_py_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert [name for name in COMMANDS if f"`python3 run.py {name}" not in readme] == []
