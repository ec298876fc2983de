"""Load as child processes: Locust with the probe, `python -m load run`, and wrk when installed."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, PYTHON, REPO_ROOT, BenchConfig
from benchmarks.processes import run_timed

LOCUST_CONF = REPO_ROOT / "load" / "locust.conf"
PROBE = BENCH_DIR / "locust_probe.py"
BARE = BENCH_DIR / "bare_locustfile.py"
STEADY_CALLS = REPO_ROOT / "load" / "scenarios" / "steady_calls.py"
GRACE_SECONDS = 90.0  # start-up, spawning and shut-down on a busy machine; past this a run is stopped


def percentile(samples: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (what Locust's own percentiles approximate)."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass
class ProbeResult:
    code: int
    requests: int = 0
    failures: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    processes: int = 0
    samples: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float | None:
        return self.requests / self.seconds if self.seconds > 0 else None

    @property
    def per_cpu_second(self) -> float | None:
        """Requests per CPU-second of the generator processes (requests/s per generator CPU)."""
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else None

    @property
    def cpu_share(self) -> float | None:
        return self.cpu_seconds / self.seconds if self.seconds > 0 else None


def locust_command(locustfiles: Sequence[Path], host: str, users: int, seconds: float,
                   extra: Sequence[str] = ()) -> list[str]:
    return [PYTHON, "-m", "locust", "-f", ",".join(str(p) for p in [*locustfiles, PROBE]),
            "--config", str(LOCUST_CONF), "--headless", "--host", host, "-u", str(users), "-r", str(users),
            "-t", f"{seconds:g}s", "--loglevel", "WARNING", *extra]


def run_probed(cfg: BenchConfig, name: str, command: list[str], seconds: float,
               env: Mapping[str, str] | None = None) -> ProbeResult:
    """Run a Locust command that includes the probe; sum what its processes measured."""
    directory = cfg.scratch(name)
    for old in directory.glob("probe-*.json"):
        old.unlink()
    run = run_timed(command, timeout=seconds + GRACE_SECONDS, log_path=directory / "locust.log",
                    env={**(env or {}), "BENCH_PROBE_DIR": str(directory)})
    result = ProbeResult(run.code)
    for path in sorted(directory.glob("probe-*.json")):
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        result.processes += 1
        result.requests += int(record["requests"])
        result.failures += int(record["failures"])
        result.seconds = max(result.seconds, float(record["seconds"]))
        result.cpu_seconds += float(record["cpu_seconds"])
        result.samples += [float(s) for s in record["samples"]]
    return result


@dataclass
class LoadResult:
    code: int
    wall: float
    summary: dict[str, Any]

    def metric(self, *path: str) -> Any:
        node: Any = self.summary
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node


def run_load(cfg: BenchConfig, name: str, scenario: str, host: str, arguments: Sequence[str],
             seconds: float, workers: int = 0) -> LoadResult:
    """`python -m load run SCENARIO --target HOST ...` and its summary.json (empty if it wrote none)."""
    directory = cfg.scratch(name)
    report = directory / "report"
    if report.exists():
        shutil.rmtree(report)
    command = [PYTHON, "-m", "load", "run", scenario, "--target", host, "-t", f"{seconds:g}s",
               "--report-dir", str(report), *(["--workers", str(workers)] if workers else []), *arguments]
    run = run_timed(command, timeout=seconds + GRACE_SECONDS + 30.0 * bool(workers),
                    log_path=directory / "load.log")
    summary_path = report / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    return LoadResult(run.code, run.wall, summary)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int

    @property
    def rps(self) -> float | None:
        return self.requests / self.seconds if self.seconds > 0 else None


def run_wrk(url: str, seconds: float, *, connections: int = 32, headers: Mapping[str, str] | None = None,
            body: str | None = None, scratch: Path) -> WrkResult | None:
    """wrk with one thread (closed loop, keep-alive); None if it failed or printed no total."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if body is not None:
        script = scratch / "post.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          f"wrk.body = {json.dumps(body)}\n", encoding="utf-8")
        command += ["-s", str(script)]
    try:
        done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30, check=False)
    except subprocess.TimeoutExpired:
        return None
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", done.stdout)
    if total is None:
        return None
    duration = float(total.group(2)) / (1000.0 if total.group(3) == "ms" else 1.0)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    return WrkResult(int(total.group(1)), duration, int(bad.group(1)) if bad else 0)
