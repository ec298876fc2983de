"""run.py, the fresh-machine entry point: `--help` exits 0, a mistyped command is one line with
"did you mean …" and exit 2, and neither creates `.venv/` (run.py is stdlib only: these run it
from a temporary copy with `python -S`, so not even site-packages are there to lean on)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[list[str]]]:
    """run.py as a module over a fake checkout in tmp_path whose .venv exists; (module, commands it ran)."""
    module = load_run_py()
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    (tmp_path / "package-lock.json").write_text("{}\n")
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    for name, value in {"ROOT": tmp_path, "VENV": venv, "PYTHON": venv / "bin" / "python",
                        "STAMP": venv / ".installed", "ALLURE": tmp_path / "node_modules" / ".bin" / "allure"}.items():
        monkeypatch.setattr(module, name, value)
    ran: list[list[str]] = []

    def record(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append([str(word) for word in command])
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(module.subprocess, "run", record)
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "npm" else None)
    return module, ran


def test_the_run_py_stamp_checks_the_allure_cli_not_only_the_lockfiles(checkout: tuple[Any, list[list[str]]]):
    module, ran = checkout
    module.STAMP.write_text(module.fingerprint())  # installed before, node_modules/ since removed

    module.ensure_environment()

    assert ran == [["/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]]  # no pip reinstall
    module.ALLURE.parent.mkdir(parents=True)
    module.ALLURE.write_text("")
    ran.clear()
    module.ensure_environment()
    assert ran == []  # stamp current and the CLI present: nothing to do


def test_a_changed_lockfile_reinstalls_the_project_and_the_allure_cli(checkout: tuple[Any, list[list[str]]]):
    module, ran = checkout
    module.ALLURE.parent.mkdir(parents=True)
    module.ALLURE.write_text("")
    module.STAMP.write_text("an older fingerprint")

    module.ensure_environment()

    assert [command[1:3] for command in ran] == [["-m", "pip"], ["-m", "pip"], ["ci", "--no-audit"]]
    assert module.STAMP.read_text() == module.fingerprint()


def test_the_allure_cli_run_py_installs_is_the_one_certify_runs():
    from conformance.certify.allure_html import ALLURE_BIN

    assert load_run_py().ALLURE.relative_to(ROOT) == ALLURE_BIN.relative_to(ROOT)
