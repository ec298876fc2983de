"""Shared fixtures: one real gate-plan bundle for the whole session, and small synthetic bundles.

The real bundle costs ~15 s, so it is made once even under pytest-xdist: the first worker takes
a lock file in the session's shared temp root and builds it; the others wait and reuse it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 120


def run_certify(*args: str, cwd: Path = ROOT, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conformance.certify", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _build_gate_bundle(root: Path) -> dict[str, Any]:
    started = time.monotonic()
    done = run_certify("run", "--plan", "gate", "--no-load", "--reports-root", str(root / "certification"))
    bundles = sorted(p for p in (root / "certification").glob("reference-*") if p.is_dir())
    return {"exit_code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "seconds": time.monotonic() - started, "bundle": str(bundles[-1]) if bundles else None}


@pytest.fixture(scope="session")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`run --plan gate --no-load` against the embedded reference: its exit code, output and bundle."""
    shared = tmp_path_factory.getbasetemp().parent / "certify-gate-run"
    shared.mkdir(exist_ok=True)
    record, lock = shared / "run.json", shared / "run.lock"
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS + 30
        while not record.exists():
            if time.monotonic() > deadline:
                pytest.fail("another worker's gate run never finished")
            time.sleep(0.5)
    else:
        record.write_text(json.dumps(_build_gate_bundle(shared)), encoding="utf-8")
    result: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="session")
def gate_bundle(gate_run: dict[str, Any]) -> Path:
    if gate_run["bundle"] is None:
        pytest.fail(f"the gate run made no bundle (exit {gate_run['exit_code']}): {gate_run['stderr'][-2000:]}")
    return Path(gate_run["bundle"])
