"""Fixtures for the load tests: one reference server per test process, and `python -m load` runs.

Locust is never imported here (gevent would patch the pytest process): every load run is a
`python -m load run ...` subprocess, bounded by a timeout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.certify.leaks import scan_for_leaks
from conformance.profiles import Profile, load_profile, running_target
from conformance.redaction import LabelledSecret

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 90


@dataclass
class LoadResult:
    exit_code: int
    output: str
    report_dir: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "summary.json").read_text())

    def operation(self, name: str) -> dict[str, Any]:
        return self.summary["operations"][name]


@pytest.fixture(scope="session")
def reference_profile() -> Profile:
    return load_profile("reference")


@pytest.fixture(scope="session")
def reference_target(reference_profile: Profile) -> Iterator[str]:
    with running_target(reference_profile) as live:
        yield live.base_url


def run_load(report_dir: Path, *arguments: str) -> LoadResult:
    completed = subprocess.run(
        [sys.executable, "-m", "load", "run", *arguments, "--report-dir", str(report_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False,
    )
    return LoadResult(completed.returncode, completed.stdout + completed.stderr, report_dir)


def leaks_in_reports(report_dir: Path, secrets: list[str]) -> list[str]:
    """What the project's one leak scan finds in a report folder: a profile secret or a signed JWT."""
    labelled = [LabelledSecret(f"secret of {len(s)} chars", s) for s in secrets]
    leaks, _ = scan_for_leaks([report_dir], labelled)
    return [f"{Path(leak.file).name}: {leak.what}" for leak in leaks]
