"""A heartbeat for long test runs (`python3 run.py tests` loads it with `-p tests.heartbeat`).

When no test has finished for HEARTBEAT_SECONDS, it names the tests still running and for how
long, so the last minute of a run (the kill matrix, the certification bundles) is not silence.
Only the controlling process beats: under pytest-xdist the workers' starts and finishes reach it
as `pytest_runtest_logstart` / `pytest_runtest_logfinish`.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

HEARTBEAT_SECONDS = 15.0


class Heartbeat:
    def __init__(self, writer: Any, interval: float = HEARTBEAT_SECONDS, clock: Any = time.monotonic) -> None:
        self.writer, self.interval, self.clock = writer, interval, clock
        self.running: dict[str, float] = {}
        self.last_news = clock()
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        with self.lock:
            self.running[nodeid] = self.clock()

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        with self.lock:
            self.running.pop(nodeid, None)
            self.last_news = self.clock()

    def line(self) -> str | None:
        """What to say now, or None while tests keep finishing."""
        now = self.clock()
        with self.lock:
            if now - self.last_news < self.interval or not self.running:
                return None
            self.last_news = now
            oldest = sorted(self.running.items(), key=lambda item: item[1])[:3]
        still = ", ".join(f"{nodeid} ({now - started:.0f} s)" for nodeid, started in oldest)
        more = f" and {len(self.running) - len(oldest)} more" if len(self.running) > len(oldest) else ""
        return f"[still running: {still}{more}]"

    def beat(self) -> None:
        while not self.stopped.wait(1.0):
            said = self.line()
            if said is not None:
                self.writer.line("")
                self.writer.line(said, cyan=True)


@pytest.hookimpl(trylast=True)  # after the terminal reporter exists
def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or config.option.collectonly:
        return  # an xdist worker: the controller speaks for everyone
    heartbeat = Heartbeat(config.get_terminal_writer())
    config.pluginmanager.register(heartbeat, "capillary-heartbeat")
    threading.Thread(target=heartbeat.beat, name="test-heartbeat", daemon=True).start()
    config.add_cleanup(heartbeat.stopped.set)
