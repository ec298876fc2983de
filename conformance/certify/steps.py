"""The two subprocess steps of the main job: the conformance suite and the load smoke.

Both run as child processes: pytest and locust each own their process (locust monkey-patches
it with gevent), and a crash in either must become a step result, never a crash of the job.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.certify.outcome import ERROR, INCOMPLETE, NOT_CONFORMANT, StepResult, status_for
from conformance.certify.provenance import REPO_ROOT

CONFORMANCE_SUMMARY = "conformance-summary.json"
LOAD_SCENARIO = "steady_calls"
LOAD_REPORTS = REPO_ROOT / "reports" / "load"


def _run_logged(command: list[str], log: Path, timeout: float | None) -> tuple[int, str]:
    """Run with stdout and stderr into `log` (a bundle artifact, leak-scanned); (exit code, last line)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        try:
            code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT, timeout=timeout,
                                  check=False).returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n[certify] timed out after {timeout} s\n")
            return INCOMPLETE, f"timed out after {timeout} s"
        except OSError as error:
            return ERROR, f"could not start: {error}"
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return code, lines[-1][:300] if lines else ""


def run_conformance(bundle: Path, *, profile: str | None, target: str | None, plan: str | None, seed: int | None,
                    strict: bool, passthrough: Sequence[str]) -> StepResult:
    """`capillary-conformance` (as `python -m conformance.cli`, the same program) into the bundle."""
    command = [sys.executable, "-m", "conformance.cli", "--reports-dir", str(bundle)]
    for flag, value in (("--profile", profile), ("--target", target), ("--plan", plan), ("--seed", seed)):
        if value is not None:
            command += [flag, str(value)]
    command += ["--strict"] if strict else []
    started = time.monotonic()
    code, last = _run_logged(command + list(passthrough), bundle / "logs" / "conformance.log", timeout=None)
    # The suite's summary.json makes way for the certification summary; it stays in the bundle as provenance.
    if (bundle / "summary.json").is_file():
        (bundle / "summary.json").replace(bundle / CONFORMANCE_SUMMARY)
    counts = read_json(bundle / CONFORMANCE_SUMMARY).get("counts") or {}
    detail = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or last
    return StepResult("conformance", code, status_for(code), detail, time.monotonic() - started)


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_unavailable_reason() -> str | None:
    """Why `python -m load run` cannot run here, or None when it can."""
    if importlib.util.find_spec("load") is None or not (REPO_ROOT / "load" / "__main__.py").is_file():
        return "`python -m load` is not available in this checkout"
    if importlib.util.find_spec("locust") is None:
        return "locust is not installed (pip install -e '.[load]')"
    return None


def _load_summary_fields(summary: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Gate results and headline totals, read defensively: the load report's format is its own."""
    gates_raw = summary.get("gates") or summary.get("gate_results") or {}
    gates: dict[str, str] = {}
    if isinstance(gates_raw, dict):
        gates = {str(k): json.dumps(v, default=str) if isinstance(v, dict | list) else str(v)
                 for k, v in gates_raw.items()}
    elif isinstance(gates_raw, list):
        for index, gate in enumerate(gates_raw):
            name = str(gate.get("name") or gate.get("gate") or index) if isinstance(gate, dict) else str(index)
            gates[name] = json.dumps(gate, default=str)
    total = summary.get("total") or (summary.get("snapshot") or {}).get("total") or {}
    headline = ("requests", "failures", "rps", "p95_ms", "p99_ms")
    totals = {k: total[k] for k in headline if isinstance(total, dict) and k in total}
    return gates, totals


def run_load_smoke(bundle: Path, *, profile: str | None, target: str | None,
                   seconds: int) -> tuple[StepResult, dict[str, Any]]:
    """`python -m load run steady_calls --run-time Ns`, its report folder copied into bundle/load/."""
    reason = load_unavailable_reason()
    if reason:
        return StepResult("load", 0, "not run", reason), {"status": "not run", "exit_code": None, "detail": reason}
    command = [sys.executable, "-m", "load", "run", LOAD_SCENARIO, "--run-time", f"{seconds}s"]
    command += ["--profile", profile] if profile else []
    command += ["--target", target] if target else []
    before = set(LOAD_REPORTS.glob(f"{LOAD_SCENARIO}-*")) if LOAD_REPORTS.is_dir() else set()
    started = time.monotonic()
    code, last = _run_logged(command, bundle / "logs" / "load.log", timeout=seconds + 180)
    produced = sorted(set(LOAD_REPORTS.glob(f"{LOAD_SCENARIO}-*")) - before) if LOAD_REPORTS.is_dir() else []
    report_dir = None
    if produced:
        shutil.copytree(produced[-1], bundle / "load")
        report_dir = "load"
    summary = read_json(bundle / "load" / "summary.json")
    # The load contract: 0 gates passed, 1 a gate failed, 3 invalid run; anything else is our error.
    mapped = code if code in (0, NOT_CONFORMANT, INCOMPLETE) else ERROR
    status = {0: "passed", NOT_CONFORMANT: "failed", INCOMPLETE: "incomplete"}.get(mapped, "error")
    detail = {0: "all gates passed", NOT_CONFORMANT: "a load gate failed", INCOMPLETE: "invalid load run"}.get(
        mapped, f"load exited {code}: {last}")
    gates, totals = _load_summary_fields(summary)
    result = StepResult("load", mapped, status, detail, time.monotonic() - started)
    return result, {"status": status, "exit_code": code, "detail": detail, "scenario": LOAD_SCENARIO,
                    "run_time": f"{seconds}s", "report_dir": report_dir, "gates": gates, "totals": totals,
                    "source_dir": str(produced[-1]) if produced else None}
