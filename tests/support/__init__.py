"""Helpers for the project's own tests: run the suite as a subprocess, start reference servers."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.profiles import load_profile, running_target

ROOT = Path(__file__).resolve().parents[2]
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
    """The conformance suite in its own process, as a user runs it."""
    command = [sys.executable, "-m", "pytest", str(SUITES), "-p", "no:cacheprovider", "-q",
               f"--rootdir={ROOT}", f"--reports-dir={reports}", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    summary_path = reports / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    return SuiteRun(done.returncode, done.stdout + done.stderr, summary)


@contextmanager
def reference_server(*faults: str) -> Iterator[str]:
    """A reference server (optionally with faults) on a free loopback port; yields its base URL."""
    fault_args = [arg for fault in faults for arg in ("--fault", fault)]
    with running_target(load_profile("reference"), fault_args) as target:
        yield target.base_url
