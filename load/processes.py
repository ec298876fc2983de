"""Locust as child processes: one local process, or one master and N workers on loopback.

No locust import: this runs in the `python -m load` process, which must stay un-patched by
gevent (it launches the target and waits on children with plain threads and pipes).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from conformance.outcome import ExitCode
from load.reports import write_summary

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCUST_CONF = REPO_ROOT / "load" / "locust.conf"
LOOPBACK = "127.0.0.1"
# Past run time + this, a child is hung: it is killed and the run is invalid.
GRACE_SECONDS = 60.0
WORKER_EXIT_SECONDS = 15.0


@dataclass(frozen=True)
class LocustRun:
    locustfiles: list[Path]
    host: str
    report_dir: Path
    users: int
    spawn_rate: float
    run_seconds: float
    profile: str
    load_options: list[str] = field(default_factory=list)  # our own options, given to every process
    workers: int = 0
    workers_max_wait_seconds: float = 30.0

    def common_arguments(self) -> list[str]:
        return [
            "-f", ",".join(str(p) for p in self.locustfiles), "--config", str(LOCUST_CONF),
            "--profile", self.profile, "--host", self.host,
            # Workers read these too: polite pacing and the stages table are planned from them.
            "-u", str(self.users), "-r", str(self.spawn_rate), "-t", f"{self.run_seconds:g}s",
            "--report-dir", str(self.report_dir), *self.load_options,
        ]

    def coordinator_arguments(self) -> list[str]:
        return ["--headless", "--html", str(self.report_dir / "locust.html"),
                "--csv", str(self.report_dir / "locust")]


def locust_command(arguments: list[str]) -> list[str]:
    return [sys.executable, "-m", "locust", *arguments]


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def run_locust(run: LocustRun) -> int:
    """Run the load and return the exit code that counts: the local process's, or the master's."""
    run.report_dir.mkdir(parents=True, exist_ok=True)
    if run.workers <= 0:
        return _wait(subprocess.Popen(locust_command(run.common_arguments() + run.coordinator_arguments()),
                                      cwd=REPO_ROOT), run.run_seconds + GRACE_SECONDS, run)
    port = free_loopback_port()
    master = subprocess.Popen(locust_command([
        *run.common_arguments(), *run.coordinator_arguments(),
        "--master", "--master-bind-host", LOOPBACK, "--master-bind-port", str(port),
        "--expect-workers", str(run.workers), "--expect-workers-max-wait", f"{run.workers_max_wait_seconds:g}",
    ]), cwd=REPO_ROOT)
    workers = []
    for index in range(run.workers):
        log = (run.report_dir / f"worker-{index}.log").open("w", encoding="utf-8")
        workers.append(subprocess.Popen(
            locust_command([*run.common_arguments(), "--worker", "--master-host", LOOPBACK,
                            "--master-port", str(port)]),
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        ))
        log.close()  # the child holds its own descriptor
    try:
        code = _wait(master, run.run_seconds + run.workers_max_wait_seconds + GRACE_SECONDS, run)
    finally:
        for worker in workers:
            _stop(worker, WORKER_EXIT_SECONDS)  # workers leave when the master quits; stragglers are ended
    if code == 1 and not (run.report_dir / "summary.json").exists():
        # The master gave up before the run (e.g. "Gave up waiting for workers to connect").
        return _invalid(run, f"the master exited before judging the run; expected {run.workers} workers "
                             f"(see {run.report_dir}/worker-*.log)")
    return code


def _wait(process: subprocess.Popen[bytes], timeout: float, run: LocustRun) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        _stop(process, 10.0)
        return _invalid(run, f"locust did not finish within {timeout:g} s and was stopped")


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is not None:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(5.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _invalid(run: LocustRun, reason: str) -> int:
    print(f"load: invalid run: {reason}", file=sys.stderr)
    summary_path = run.report_dir / "summary.json"
    if not summary_path.exists():
        write_summary(run.report_dir, {"exit_code": ExitCode.INCOMPLETE, "invalid_reasons": [reason], "gates": []}, [])
    return ExitCode.INCOMPLETE
