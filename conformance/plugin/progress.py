"""Tests done / total as a small JSON file, for a parent process that shows the suite's progress.

Loaded only on request (`-p conformance.plugin.progress`, as `certify run` does) and inert unless
`CAP_PROGRESS_FILE` names the file. Each write replaces the file whole (write, then rename), so a
reader never sees half a document.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PROGRESS_FILE_VARIABLE = "CAP_PROGRESS_FILE"


class _Progress:
    def __init__(self, path: Path) -> None:
        self.path, self.total, self.done = path, 0, 0
        self.failed: set[str] = set()

    def write(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"done": self.done, "total": self.total, "failed": len(self.failed)}),
                             encoding="utf-8")
        os.replace(temporary, self.path)


_PROGRESS: _Progress | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _PROGRESS
    target = os.environ.get(PROGRESS_FILE_VARIABLE)
    _PROGRESS = _Progress(Path(target)) if target else None


def pytest_collection_finish(session: pytest.Session) -> None:
    if _PROGRESS is not None:
        _PROGRESS.total = len(session.items)
        _PROGRESS.write()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _PROGRESS is None:
        return
    if report.failed:
        _PROGRESS.failed.add(report.nodeid)
    if report.when == "teardown":  # every test ends with a teardown report, skipped ones included
        _PROGRESS.done += 1
        _PROGRESS.write()
