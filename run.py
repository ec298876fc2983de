#!/usr/bin/env python3
"""Bootstrap and run, on a fresh machine with only Python 3.11+ (stdlib only, no prior install).

usage: python3 run.py COMMAND [ARGS...]        (python3 run.py --help: this text)

    certify [ARGS...]          the main job against the embedded reference server → reports/
    tests [PYTEST ARGS...]     the project's own tests
    screenshots                regenerate docs/screenshots/*.png (a gate run, shown in Chromium)
    conformance [ARGS...]      capillary-conformance: the suite (`conformance client -- CMD`: the client judge)
    load [ARGS...]             python -m load: the load scenarios
    kill-matrix [ARGS...]      python -m fixtures.kill_matrix
    variant-matrix [ARGS...]   python -m fixtures.variant_matrix
    bench [ARGS...]            python -m benchmarks

ARGS go to the command (`python3 run.py certify --help`). An unknown command exits 2 before
anything is installed.

It creates `.venv/` once, installs the project with its extras, re-installs when
pyproject.toml or package-lock.json change, and installs the pinned Allure 3 CLI with `npm ci`
when npm is present. For `tests` and `screenshots` it installs Debian's chromium (apt-get, as
root) when no Chromium is on PATH: the browser tests drive it, since Playwright's own browser
download is not reachable from CI machines.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".installed"
ALLURE = ROOT / "node_modules" / ".bin" / "allure"  # the pinned CLI conformance.certify.allure_html runs
COMMANDS = {
    "certify": ["-m", "conformance.certify", "run"],
    # tests.heartbeat names the tests still running when none has finished for 15 s.
    "tests": ["-m", "pytest", "tests", "-n", "2", "--dist", "loadfile", "-p", "tests.heartbeat"],
    "conformance": ["-m", "conformance.cli"],
    "load": ["-m", "load"],
    "kill-matrix": ["-m", "fixtures.kill_matrix"],
    "variant-matrix": ["-m", "fixtures.variant_matrix"],
    "bench": ["-m", "benchmarks"],
    "screenshots": ["-m", "docs.screenshots"],
}
BROWSER_COMMANDS = ("tests", "screenshots")
HELP_OPTIONS = ("--help", "-h")
USAGE_ERROR = 2  # as every entry point of the project (conformance.outcome, which run.py cannot import)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "package-lock.json"):
        path = ROOT / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def say(message: str) -> None:
    print(f"run.py: {message}", flush=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"run.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        say("creating .venv (once)")
        venv.EnvBuilder(with_pip=True).create(VENV)
    installed = STAMP.exists() and STAMP.read_text() == fingerprint()
    npm = shutil.which("npm")
    # The stamp covers the Allure CLI too: a removed node_modules/ is installed again, whatever the stamp says.
    allure_missing = bool(npm) and (ROOT / "package-lock.json").exists() and not ALLURE.exists()
    if installed and not allure_missing:
        return
    if not installed:
        say("installing the project and its dependencies into .venv")
        pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", ".[load,dev]"], cwd=ROOT, check=True)
    if npm and (ROOT / "package-lock.json").exists():
        say("installing the pinned Allure 3 CLI (npm ci)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    elif not npm:
        say("npm not found: the Allure HTML report will be skipped (everything else works)")
    STAMP.write_text(fingerprint())


def ensure_browser() -> None:
    """A system Chromium for the browser tests: Debian's, installed with apt-get when missing and root."""
    if os.environ.get("CAP_CHROMIUM") or any(shutil.which(name) for name in CHROMIUM_NAMES):
        return
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        say("no Chromium found and cannot apt-get it: the browser tests will fail "
            "(install chromium, or set CAP_CHROMIUM to a Chromium executable)")
        return
    say("installing Debian's chromium for the browser tests (apt-get, once)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)
    subprocess.run([apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True, env=env)


def usage_problem(argv: list[str]) -> str | None:
    """Why argv names no command, in one line with "did you mean …" when one is close; None when it does."""
    if not argv:
        return f"a command is needed: one of {', '.join(COMMANDS)} (see python3 run.py --help)"
    word = argv[0]
    if word in COMMANDS:
        return None
    kind, candidates = ("option", HELP_OPTIONS) if word.startswith("-") else ("command", tuple(COMMANDS))
    close = difflib.get_close_matches(word, candidates, n=1)
    listed = "a command comes first, one of" if kind == "option" else "commands:"
    hint = f"did you mean {close[0]}?" if close else f"{listed} {', '.join(COMMANDS)}"
    return f"unknown {kind} {word} ({hint})"


def main(argv: list[str]) -> int:
    # Before the environment: a typo or a question must not cost a venv and an install.
    if argv[:1] and argv[0] in HELP_OPTIONS:
        print(__doc__)
        return 0
    problem = usage_problem(argv)
    if problem:
        print(f"run.py: {problem}", file=sys.stderr)
        return USAGE_ERROR
    ensure_environment()
    if argv[0] in BROWSER_COMMANDS:
        ensure_browser()
    command = [str(PYTHON), *COMMANDS[argv[0]], *argv[1:]]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
