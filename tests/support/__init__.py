"""Helpers for the project's own tests: run the suite as a subprocess, start reference servers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.profiles import load_profile, running_target
from fixtures.matrix_runs import ROOT, suite_process

SUITES = ROOT / "conformance" / "suites"


@dataclass
class SuiteRun:
    exit_code: int
    output: str
    summary: dict[str, Any] | None

    def verdicts(self) -> dict[str, str]:
        return {t["nodeid"].split("::", 1)[1]: t["verdict"] for t in (self.summary or {}).get("tests", [])}

    def failing(self) -> list[str]:
        return sorted(name for name, verdict in self.verdicts().items() if verdict == "fail")


def run_suite(reports: Path, *args: str, timeout: float = 240) -> SuiteRun:
    """The conformance suite in its own process, as a user runs it (the matrices' runner)."""
    exit_code, summary, output = suite_process(reports, args, timeout=timeout)
    return SuiteRun(exit_code, output, summary)


@contextmanager
def reference_server(*faults: str) -> Iterator[str]:
    """A reference server (optionally with faults) on a free loopback port; yields its base URL."""
    fault_args = [arg for fault in faults for arg in ("--fault", fault)]
    with running_target(load_profile("reference"), fault_args) as target:
        yield target.base_url
