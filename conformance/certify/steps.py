"""The two subprocess steps of the main job: the conformance suite and the load smoke.

Both run as child processes: pytest and locust each own their process (locust monkey-patches
it with gevent), and a crash in either must become a step result, never a crash of the job.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from conformance.certify.load_figures import load_figures
from conformance.certify.outcome import StepResult, status_for
from conformance.certify.provenance import REPO_ROOT
from conformance.options import as_arguments
from conformance.outcome import ExitCode, as_exit_code
from conformance.profiles import Profile
from conformance.profiles.target import is_loopback

CONFORMANCE_SUMMARY = "conformance-summary.json"
POLL_SECONDS = 0.25
LOAD_SCENARIO = "steady_calls"
# With a short-lived client, the smoke also runs the 498-driven regeneration the product exists to
# stress, in the same Locust run (the users are shared), so every bundle shows expiries and the herd.
REGENERATION_SCENARIO = "expiry_regeneration"
# pytest's usage error ends with where it looked for its configuration: not the cause.
PYTEST_TRIVIA = ("inifile:", "rootdir:", "configfile:")
ERROR_LINE = re.compile(r"\berror: (?P<what>.+)$", re.IGNORECASE)
LOAD_DETAILS = {ExitCode.CONFORMANT: "all gates passed", ExitCode.NOT_CONFORMANT: "a load gate failed",
                ExitCode.INCOMPLETE: "invalid load run"}


def load_scenarios(profile: Profile | None) -> list[str]:
    """What the load smoke runs against this profile."""
    if profile is not None and "short_lived" in profile.clients:
        return [LOAD_SCENARIO, REGENERATION_SCENARIO]
    return [LOAD_SCENARIO]


def _run_logged(command: list[str], log: Path, timeout: float | None, *, env: dict[str, str] | None = None,
                while_running: Callable[[], None] | None = None) -> tuple[int, str]:
    """Run with stdout and stderr into `log` (a bundle artifact, leak-scanned); (exit code, last line).

    `while_running` is called every POLL_SECONDS until the child ends (the display's progress).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    with log.open("w", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        try:
            child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env)
        except OSError as error:
            return ExitCode.ERROR, f"could not start: {error}"
        while True:
            try:
                code = child.wait(POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if deadline is not None and time.monotonic() > deadline:
                    child.kill()
                    child.wait()
                    out.write(f"\n[certify] timed out after {timeout} s\n")
                    return ExitCode.INCOMPLETE, f"timed out after {timeout} s"
                if while_running is not None:
                    while_running()
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return code, lines[-1][:300] if lines else ""


def tests_done(progress_file: Path) -> tuple[int, int, int] | None:
    """(done, total, failed) from the suite's progress file, or None before it has one."""
    data = read_json(progress_file)
    try:
        return int(data["done"]), int(data["total"]), int(data.get("failed", 0))
    except (KeyError, TypeError, ValueError):
        return None


def run_conformance(bundle: Path, *, profile: str | None, target: str | None, plan: str | None, seed: int | None,
                    strict: bool, passthrough: Sequence[str],
                    progress: Callable[[int, int, int], None] | None = None) -> StepResult:
    """`capillary-conformance` (as `python -m conformance.cli`, the same program) into the bundle.

    `progress(done, total, failed)` is called while the suite runs, from the progress file that
    `conformance.plugin.progress` keeps (outside the bundle's evidence: it is removed afterwards).
    """
    progress_file = bundle / "logs" / "conformance-progress.json"
    command = [sys.executable, "-m", "conformance.cli", "--reports-dir", str(bundle),
               "-p", "conformance.plugin.progress"]
    command += as_arguments({"profile": profile, "target": target, "plan": plan, "seed": seed, "strict": strict})
    started = time.monotonic()

    def report_progress() -> None:
        counts = tests_done(progress_file)
        if progress is not None and counts is not None:
            progress(*counts)

    code, last = _run_logged(command + list(passthrough), bundle / "logs" / "conformance.log", timeout=None,
                             env={**os.environ, "CAP_PROGRESS_FILE": str(progress_file)},
                             while_running=report_progress)
    with contextlib.suppress(FileNotFoundError):
        progress_file.unlink()
    # The suite's summary.json makes way for the certification summary; it stays in the bundle as provenance.
    if (bundle / "summary.json").is_file():
        (bundle / "summary.json").replace(bundle / CONFORMANCE_SUMMARY)
    summary = read_json(bundle / CONFORMANCE_SUMMARY)
    counts = summary.get("counts") or {}
    tally = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    cause = suite_stop_cause(code, summary, bundle / "logs" / "conformance.log")
    detail = " — ".join(part for part in (cause, tally) if part) or last
    return StepResult("conformance", code, status_for(code), detail, time.monotonic() - started,
                      stopped_because=cause)


def suite_stop_cause(code: int, summary: dict[str, Any], log: Path) -> str:
    """Why the suite's run makes the rest of the job meaningless, in one line; "" when it does not.

    It does when the suite exits 2 (configuration, profile, usage or suite error: no verdict can
    stand, whatever load says) or stopped early (target unreachable or not started, or the breaker
    ended the run: load would only meet the same dead target). The suite's own line is the cause;
    pytest's usage errors, which come before the suite writes anything, are read from its log.
    """
    stopped = str(summary.get("stopped") or "")
    if not stopped and as_exit_code(code) != ExitCode.ERROR:
        return ""
    if stopped:
        cause = "; ".join(line.strip() for line in stopped.splitlines() if line.strip())
        return f"the run stopped early: {cause}" if summary.get("counts") else cause
    errors = [str(error) for error in summary.get("suite_errors") or []]
    if errors:
        return "suite error: " + "; ".join(errors)
    return "suite error: " + _error_line(log)


def _error_line(log: Path) -> str:
    """The line of the suite's output that names its error (pytest: `… error: unrecognized
    arguments: --x`), not the `rootdir:` trivia pytest prints after it."""
    try:
        lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()[1:]]
    except OSError:
        return "no output"
    meaningful = [line for line in lines if line and not line.startswith(PYTEST_TRIVIA)]
    for line in reversed(meaningful):
        named = ERROR_LINE.search(line)
        if named:
            return named["what"][:300]
    return meaningful[-1][:300] if meaningful else "no output"


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


def _gate_line(gate: dict[str, Any]) -> str:
    verdict = "pass" if gate.get("passed") else "FAIL"
    relation = "<=" if gate.get("bound", "max") == "max" else ">="
    return f"{verdict}: measured {gate.get('measured')} {relation} {gate.get('threshold')}"


def _load_summary_fields(summary: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Gate results and headline totals, read defensively: the load report's format is its own."""
    gates_raw = summary.get("gates") or {}
    gates: dict[str, str] = {}
    if isinstance(gates_raw, list):
        for index, gate in enumerate(gates_raw):
            if isinstance(gate, dict):
                gates[str(gate.get("name", index))] = _gate_line(gate)
    elif isinstance(gates_raw, dict):
        gates = {str(k): str(v) for k, v in gates_raw.items()}
    totals = load_figures(summary)  # the token figures first: what the regeneration scenario is there to show
    if summary.get("invalid_reasons"):
        totals["invalid_reasons"] = "; ".join(str(r) for r in summary["invalid_reasons"])
    return gates, totals


def last_status_line(log: Path) -> str | None:
    """The load run's latest live status line (`load: 4s/10s | users 5 | ...`) from its log, if any."""
    try:
        with log.open("rb") as handle:
            handle.seek(max(log.stat().st_size - 4096, 0))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = [line for line in tail.splitlines() if line.startswith("load: ") and " | users " in line]
    return lines[-1] if lines else None


def run_load_smoke(bundle: Path, *, profile: str | None, target: str | None, seconds: int,
                   remote_url: str | None = None, allow_remote: bool = False,
                   scenarios: Sequence[str] = (LOAD_SCENARIO,),
                   progress: Callable[[str], None] | None = None) -> tuple[StepResult, dict[str, Any]]:
    """`python -m load run SCENARIO... --run-time Ns --report-dir BUNDLE/load` (see `load_scenarios`).

    `remote_url` is the target when it is not launched locally: load goes there only when the
    operator allowed it in so many words (`--allow-remote-load`), as `python -m load` requires.
    """
    reason = load_unavailable_reason()
    if reason is None and remote_url and not is_loopback(remote_url) and not allow_remote:
        reason = f"target {remote_url} is not on loopback: pass --allow-remote-load to put load on it"
    if reason:
        return StepResult("load", 0, "not run", reason), {"status": "not run", "exit_code": None, "detail": reason}
    report_dir = bundle / "load"
    command = [sys.executable, "-m", "load", "run", *scenarios, "--run-time", f"{seconds}s",
               "--report-dir", str(report_dir)]
    command += ["--profile", profile] if profile else []
    command += ["--target", target] if target else []
    command += ["--allow-remote"] if allow_remote else []
    started = time.monotonic()
    log = bundle / "logs" / "load.log"

    def report_progress() -> None:
        line = last_status_line(log)
        if progress is not None and line is not None:
            progress(line)

    code, last = _run_logged(command, log, timeout=seconds + 180, while_running=report_progress)
    summary = read_json(report_dir / "summary.json")
    # The load contract is the suite's (conformance.outcome): 0 gates passed, 1 a gate failed, 3 an
    # invalid run; anything else (2 included: load's usage errors) is an error of this step.
    mapped = as_exit_code(code)
    status = status_for(mapped)
    detail = LOAD_DETAILS.get(mapped, f"load exited {code}: {last}")
    gates, totals = _load_summary_fields(summary)
    result = StepResult("load", mapped, status, detail, time.monotonic() - started)
    return result, {"status": status, "exit_code": code, "detail": detail, "scenario": " + ".join(scenarios),
                    "run_time": f"{seconds}s", "report_dir": "load" if report_dir.is_dir() else None,
                    "gates": gates, "totals": totals}
