"""run.py installs what the browser tests need on a fresh CI machine: Debian's chromium, via apt-get as root."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from .browser import CANDIDATES, chromium_executable
from .conftest import load_run_py


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    ran: list[list[str]] = []

    def record(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", record)
    monkeypatch.delenv("CAP_CHROMIUM", raising=False)
    return ran


def test_without_chromium_root_gets_debians_chromium_from_apt_get(commands, monkeypatch: pytest.MonkeyPatch):
    module = load_run_py()
    monkeypatch.setattr(module.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(module.os, "geteuid", lambda: 0)

    module.ensure_browser()

    assert commands == [["/usr/bin/apt-get", "update", "-qq"],
                        ["/usr/bin/apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]]


def test_an_installed_chromium_is_used_as_it_is(commands, monkeypatch: pytest.MonkeyPatch):
    module = load_run_py()
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")

    module.ensure_browser()

    assert commands == []


def test_without_root_nothing_is_installed_and_the_reason_is_said(commands, monkeypatch: pytest.MonkeyPatch, capsys):
    module = load_run_py()
    monkeypatch.setattr(module.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(module.os, "geteuid", lambda: 1000)

    module.ensure_browser()

    assert commands == []
    assert "the browser tests will fail" in capsys.readouterr().out


def test_run_py_looks_for_the_chromium_names_the_browser_launcher_looks_for():
    """run.py is stdlib only and runs before the project is installed: it keeps its own copy of the names."""
    assert load_run_py().CHROMIUM_NAMES == CANDIDATES


def test_the_screenshots_tool_does_not_depend_on_the_test_package():
    import ast

    from .conftest import ROOT

    tree = ast.parse((ROOT / "docs" / "screenshots.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "conformance.certify.browser" in modules
    assert not {m for m in modules if m.split(".")[0] == "tests"}


def test_the_tests_and_screenshots_commands_get_a_browser():
    assert set(load_run_py().BROWSER_COMMANDS) == {"tests", "screenshots"}


def test_this_machine_has_the_chromium_the_browser_tests_drive():
    """In CI, run.py has just installed it: its absence is a failure here, not a skip."""
    assert chromium_executable() is not None
