"""`capillary-conformance`: run the conformance suite against a profile, with reports.

A thin wrapper over pytest: it picks the suites, JUnit and Allure outputs, and passes every
other argument through. The exit code is the suite's (0 conformant, 1 failure, 2 config or
suite error, 3 target unreachable or required tests not run).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from conformance.environment import ENV
from conformance.options import DEFAULT_REPORTS_DIR, as_arguments, declare

SUITES = Path(__file__).resolve().parent / "suites"
# The suite's own options that this wrapper declares and hands on (--reports-dir it also uses itself).
HANDED_ON = ("profile", "target", "plan", "seed", "strict", "destructive")


def build_pytest_args(args: argparse.Namespace, passthrough: list[str]) -> list[str]:
    # The wrapper needs the folder itself (JUnit, Allure), so it resolves the precedence here too.
    reports = Path(args.reports_dir or os.environ.get(ENV["reports"]) or DEFAULT_REPORTS_DIR)
    pytest_args = [
        str(SUITES),
        "-p", "no:locust",
        "-p", "no:cacheprovider",
        f"--rootdir={SUITES.parent.parent}",
        f"--junitxml={reports / 'junit.xml'}",
        f"--alluredir={reports / 'allure-results'}",
        "--clean-alluredir",
        f"--reports-dir={reports}",
        "-q",
        # The suites judge through checks that raise typed failures, not bare asserts; skipping
        # assertion rewriting saved ~0.8 s of a gate run where no .pyc cache is written.
        "--assert=plain",
    ]
    pytest_args += as_arguments({name: getattr(args, name) for name in HANDED_ON})
    return pytest_args + passthrough


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="capillary-conformance", description=__doc__.splitlines()[0])
    declare(p.add_argument, [*HANDED_ON, "reports_dir"])
    return p


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["client"]:
        # `capillary-conformance client … -- CMD`: judge an API client instead of a server (issue 15).
        from conformance.judge.cli import main as judge_client

        return judge_client(arguments[1:])
    args, passthrough = parser().parse_known_args(arguments)
    return int(pytest.main(build_pytest_args(args, passthrough)))


if __name__ == "__main__":
    sys.exit(main())
