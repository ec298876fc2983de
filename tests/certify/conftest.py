"""Shared fixtures: one real gate-plan bundle for the whole session, and small synthetic bundles.

The real bundle (the gate plan and a 5 s load smoke with token expiry) costs ~15 s, so it is made
once even under pytest-xdist: the first worker takes a lock file in the session's shared temp
root and builds it; the others wait and reuse it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 120
# Long enough for two expiries of the reference profile's 2 s short-lived tokens.
LOAD_SECONDS = 5


def load_run_py() -> ModuleType:
    """A fresh copy of run.py as a module (it is a script, not a package member)."""
    spec = importlib.util.spec_from_file_location("run_py_under_test", ROOT / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_certify(*args: str, cwd: Path = ROOT, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conformance.certify", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _build_gate_bundle(root: Path) -> dict[str, Any]:
    started = time.monotonic()
    done = run_certify("run", "--plan", "gate", "--load-seconds", str(LOAD_SECONDS),
                       "--reports-root", str(root / "certification"))
    bundles = sorted(p for p in (root / "certification").glob("reference-*") if p.is_dir())
    return {"exit_code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "seconds": time.monotonic() - started, "bundle": str(bundles[-1]) if bundles else None}


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str,
                     build: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """Run `build` once per test session, even across xdist workers; everyone gets its JSON record."""
    # Under xdist each worker's basetemp sits inside the session's; without it, basetemp is the session's.
    session_root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        session_root = session_root.parent
    shared = session_root / name
    shared.mkdir(exist_ok=True)
    record, lock = shared / "record.json", shared / "lock"
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS * 3
        while not record.exists():
            if time.monotonic() > deadline:
                pytest.fail(f"another worker's {name} never finished")
            time.sleep(0.5)
    else:
        record.write_text(json.dumps(build(shared)), encoding="utf-8")
    result: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return result


@pytest.fixture(scope="session")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`run --plan gate --load-seconds 5` against the embedded reference: its exit code, output and bundle."""
    return once_per_session(tmp_path_factory, "certify-gate-run", _build_gate_bundle)


@pytest.fixture(scope="session")
def gate_bundle(gate_run: dict[str, Any]) -> Path:
    if gate_run["bundle"] is None:
        pytest.fail(f"the gate run made no bundle (exit {gate_run['exit_code']}): {gate_run['stderr'][-2000:]}")
    return Path(gate_run["bundle"])


def conformance_summary(**overrides: Any) -> dict[str, Any]:
    """The suite's summary.json as the plugin writes it: every requirement passed by one test."""
    from conformance.requirements import REQUIREMENTS

    requirements = {
        rid: {"level": r.level.value, "title": r.title, "area": r.area, "url": r.url, "verdict": "pass",
              "tests": [{"nodeid": f"conformance/suites/test_x.py::test_{rid.lower().replace('-', '_')}",
                         "verdict": "pass", "exchanges": [n + 1], "message": ""}]}
        for n, (rid, r) in enumerate(REQUIREMENTS.items())
    }
    summary: dict[str, Any] = {
        "schema": "capillary-conformance-summary/1", "target": "http://127.0.0.1:8000", "profile": "reference.toml",
        "profile_hash": "0123456789abcdef", "plan": "gate", "seed": 42, "requests": 10, "throttled": 0,
        "clock_offset_seconds": 0.01,
        "observed": {"kid": "k1", "iss": "Capillary", "lifetime": 3600, "claims": ["exp", "iat", "iss"],
                     "public_key_fingerprint": "ab" * 32},
        "started": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:00:10+00:00", "verdict": "conformant",
        "exit_code": 0, "strict": False, "counts": {"pass": len(requirements)}, "suite_errors": [],
        "requirements": requirements, "tests": [],
    }
    summary.update(overrides)
    return summary


def exchange_record(eid: int, label: str = "generate token (primary)", status: int = 200,
                    body: str = "{}") -> dict[str, Any]:
    return {"id": eid, "label": label,
            "request": {"method": "POST", "url": "http://127.0.0.1:8000/v3/oauth/token/generate", "headers": {},
                        "body": '{"key": "k", "secret": "***"}'},
            "response": {"status": status, "headers": {}, "body": body, "elapsed_ms": 1.0}}
