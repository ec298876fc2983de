"""Start and stop a profile's [launch] command: the target is a process, never an import.

The only place that starts a target process; conformance/profiles/target.py decides when.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
from dataclasses import dataclass

from conformance.profiles.model import Launch


class LaunchError(Exception):
    """The target's launch command did not become ready; str() says why in one line."""


@dataclass
class LaunchedTarget:
    process: subprocess.Popen[str]
    base_url: str

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(launch: Launch) -> LaunchedTarget:
    """Run the command and wait for the first stdout line matching `ready_pattern`."""
    try:
        process = subprocess.Popen(
            list(launch.command),
            cwd=launch.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as error:
        raise LaunchError(f"cannot start {launch.command[0]!r}: {error.strerror}") from None
    lines: queue.Queue[str | None] = queue.Queue()

    stdout = process.stdout
    if stdout is None:  # Popen was given stdout=PIPE; this only narrows the type
        raise LaunchError("launch command has no stdout pipe")

    def pump() -> None:
        # Keep draining stdout after the ready line so the child never blocks on a full pipe.
        for line in stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    pattern = re.compile(launch.ready_pattern)
    while True:
        try:
            line = lines.get(timeout=launch.ready_timeout_seconds)
        except queue.Empty:
            LaunchedTarget(process, "").stop()
            raise LaunchError(f"no ready line within {launch.ready_timeout_seconds:g} s") from None
        if line is None:
            stderr = process.stderr.read() if process.stderr else ""
            code = process.wait()
            last = stderr.strip().splitlines()[-1:] or ["(no output)"]
            raise LaunchError(f"launch command exited with {code} before ready: {last[0]}")
        match = pattern.search(line)
        if match:
            _drain_in_background(process)
            return LaunchedTarget(process, match.group("url").rstrip("/"))


def _drain_in_background(process: subprocess.Popen[str]) -> None:
    if process.stderr is not None:
        stream = process.stderr
        threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()

