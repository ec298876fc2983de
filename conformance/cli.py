"""`capillary-conformance`: run the conformance suite against a profile, with reports.

A thin wrapper over pytest: it picks the suites, JUnit and Allure outputs, and passes every
other argument through. The exit code is the suite's (0 conformant, 1 failure, 2 config or
suite error, 3 target unreachable or required tests not run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import TextIO

import pytest

from conformance.environment import ENV
from conformance.options import DEFAULT_REPORTS_DIR, as_arguments, declare
from conformance.usage import closest, long_options, unknown_option

SUITES = Path(__file__).resolve().parent / "suites"
# The suite's own options that this wrapper declares and hands on (--reports-dir it also uses itself).
HANDED_ON = ("profile", "target", "plan", "seed", "strict", "destructive", "request_budget")


def reports_dir(args: argparse.Namespace) -> Path:
    """The wrapper needs the folder itself (JUnit, Allure, a usage error's summary), so it resolves
    the suite's precedence (option, environment, default) here too."""
    return Path(args.reports_dir or os.environ.get(ENV["reports"]) or DEFAULT_REPORTS_DIR)


def build_pytest_args(args: argparse.Namespace, passthrough: list[str]) -> list[str]:
    reports = reports_dir(args)
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
        # One line per failure or error after the short failure blocks; skips and warnings are in
        # the requirement table and the summary, not repeated (pyproject's -ra is for our own tests).
        "-rfE",
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
    mistyped = _mistyped_option(passthrough)
    if mistyped:
        return _usage_error(args, mistyped)
    stderr = _Tee(sys.stderr)
    with contextlib.redirect_stderr(stderr):
        code = int(pytest.main(build_pytest_args(args, passthrough)))
    if code == pytest.ExitCode.USAGE_ERROR:
        # pytest's own usage error (an option neither it nor we know) is a usage error here too:
        # exit 2, with the summary.json every run leaves, naming pytest's own words.
        named = [line.split("error: ", 1)[1] for line in stderr.seen.splitlines() if "error: " in line]
        return _usage_error(args, named[-1] if named else "pytest refused the arguments", quiet=True)
    return code


class _Tee(io.StringIO):
    """stderr as it is, and a copy (bounded) to read pytest's usage error from."""

    def __init__(self, through: TextIO) -> None:
        super().__init__()
        self.through = through

    def write(self, text: str) -> int:
        self.through.write(text)
        if self.tell() < 65536:
            super().write(text)
        return len(text)

    @property
    def seen(self) -> str:
        return self.getvalue()


def _mistyped_option(passthrough: list[str]) -> str | None:
    """An option close to one of ours (`--plna`): say so now, instead of pytest's usage wall."""
    ours = long_options(parser())
    for argument in passthrough:
        name = argument.split("=", 1)[0]
        if name.startswith("--") and name not in ours and closest(name, ours):
            return unknown_option(name, ours)
    return None


def _usage_error(args: argparse.Namespace, message: str, quiet: bool = False) -> int:
    """One line, exit 2, and (as every run does) a summary.json that says why."""
    from conformance.plugin.results import RunResults

    if not quiet:
        print(f"capillary-conformance: {message}", file=sys.stderr)
    header = {"profile": args.profile, "target": args.target}
    RunResults(suite_errors=[message]).write_summary(reports_dir(args) / "summary.json", header, strict=False,
                                                     exit_code=2)
    return 2


if __name__ == "__main__":
    sys.exit(main())
