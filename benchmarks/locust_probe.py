"""A locustfile with no users: it measures the process it runs in, from test start to test stop.

Add it to any run (`locust -f SCENARIO.py,benchmarks/locust_probe.py ...`) with BENCH_PROBE_DIR
set; each process (local, master or worker) writes `probe-<pid>.json` there: requests and
failures it made, seconds between test start and stop, the CPU seconds it spent in between,
and up to MAX_SAMPLES response times. REGEN samples (498 recoveries) are not requests and are
left out. Without BENCH_PROBE_DIR the probe does nothing.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import psutil
from locust import events

MAX_SAMPLES = 200_000


class Probe:
    def __init__(self) -> None:
        self.process = psutil.Process()
        self.started: float | None = None
        self.cpu_at_start = 0.0
        self.requests = 0
        self.failures = 0
        self.samples: list[float] = []
        self.written = False

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def start(self, **_kwargs: Any) -> None:
        if self.started is None:
            self.started, self.cpu_at_start = time.perf_counter(), self.cpu()

    def request(self, request_type: str, response_time: float, exception: BaseException | None,
                **_kwargs: Any) -> None:
        if self.started is None or request_type == "REGEN":
            return
        self.requests += 1
        self.failures += exception is not None
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(round(response_time or 0.0, 3))

    def stop(self, environment: Any = None, **_kwargs: Any) -> None:
        directory = os.environ.get("BENCH_PROBE_DIR")
        if self.written or self.started is None or not directory:
            return
        self.written = True
        runner = type(getattr(environment, "runner", None)).__name__
        record = {
            "pid": os.getpid(), "runner": runner, "requests": self.requests, "failures": self.failures,
            "seconds": time.perf_counter() - self.started, "cpu_seconds": self.cpu() - self.cpu_at_start,
            "samples": self.samples,
        }
        Path(directory, f"probe-{os.getpid()}.json").write_text(json.dumps(record), encoding="utf-8")


PROBE = Probe()
_hooks: Any = events
_hooks.test_start.add_listener(PROBE.start)
_hooks.request.add_listener(PROBE.request)
_hooks.test_stop.add_listener(PROBE.stop)
_hooks.quitting.add_listener(PROBE.stop)
