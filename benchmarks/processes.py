"""Child processes with a deadline and their CPU: the reference server, commands, process trees.

Every wait here is bounded: a command past its timeout is terminated (then killed), and the
reference server gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psutil

from benchmarks.common import PYTHON, REPO_ROOT
from conformance.protocol import TOKEN_GENERATE_PATH

ORG_FILE = REPO_ROOT / "fixtures" / "data" / "orgs.toml"
PROFILE_FILE = REPO_ROOT / "fixtures" / "profiles" / "reference.toml"
TOKEN_PATH = TOKEN_GENERATE_PATH
CUSTOMER_GET_PATH = "/v1.1/customer/get?mobile=1&format=json"
TRIVIAL_PATH = "/.well-known/jwks.json"  # a cached, static JSON body: the server's cheapest answer
READY_TIMEOUT_SECONDS = 30.0
SAMPLE_SECONDS = 0.1


def credentials(role: str = "primary") -> tuple[str, str]:
    """The reference profile's key and secret for a role (local test fixtures, not real secrets)."""
    clients = tomllib.loads(PROFILE_FILE.read_text(encoding="utf-8"))["clients"]
    return str(clients[role]["key"]), str(clients[role]["secret"])


def token_body(role: str = "primary") -> str:
    key, secret = credentials(role)
    return f'{{"key": "{key}", "secret": "{secret}"}}'


def fresh_token(base_url: str, role: str = "primary") -> str:
    key, secret = credentials(role)
    response = httpx.post(base_url + TOKEN_PATH, json={"key": key, "secret": secret}, timeout=10.0)
    response.raise_for_status()
    return str(response.json()["data"]["accessToken"])


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class Server:
    url: str
    process: psutil.Process

    def cpu(self) -> float:
        return cpu_seconds(self.process)


def _drain(stream: IO[str]) -> None:
    for _ in iter(stream.readline, ""):
        pass  # the server prints one line; anything after it is read and dropped, never blocking it


@contextmanager
def reference_server(cprofile_to: Path | None = None) -> Iterator[Server]:
    """The reference server on a free loopback port, one worker: one process, so one core at most.

    With `cprofile_to`, it runs under `python -m cProfile`, which writes the file when SIGTERM stops it.
    """
    profiler = ["-m", "cProfile", "-o", str(cprofile_to)] if cprofile_to is not None else []
    command = [PYTHON, *profiler, "-m", "fixtures.reference_server", "--org", str(ORG_FILE), "--port", "0"]
    child = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = _ready_url(child)
        if child.stdout is not None:
            threading.Thread(target=_drain, args=(child.stdout,), daemon=True).start()
        yield Server(url, psutil.Process(child.pid))
    finally:
        stop(child)


def _ready_url(child: subprocess.Popen[str]) -> str:
    if child.stdout is None:
        raise RuntimeError("reference server: no stdout")
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        if not selector.select(left):
            break
        line = child.stdout.readline()
        if not line:
            break
        if "listening on " in line:
            return line.rsplit("listening on ", 1)[1].strip()
    raise RuntimeError(f"reference server did not print its ready line within {READY_TIMEOUT_SECONDS:g} s")


def stop(child: subprocess.Popen[str] | subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(5.0)


@dataclass
class TimedRun:
    """A finished command: exit code, wall time, CPU of the root process and of its descendants."""

    code: int
    wall: float
    root_cpu: float
    descendants_cpu: dict[str, float] = field(default_factory=dict)  # "pid name" -> CPU seconds

    @property
    def children_cpu(self) -> float:
        return sum(self.descendants_cpu.values())


def run_timed(command: Sequence[str], *, timeout: float, log_path: Path, env: Mapping[str, str] | None = None,
              cwd: Path = REPO_ROOT) -> TimedRun:
    """Run `command` to completion (or its timeout), sampling the CPU of its whole process tree."""
    full_env = {**os.environ, **(env or {})}
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=full_env,
                                 stdin=subprocess.DEVNULL)
        root = psutil.Process(child.pid)
        root_cpu, others = 0.0, {}
        deadline = time.monotonic() + timeout
        while child.poll() is None and time.monotonic() < deadline:
            try:
                root_cpu = cpu_seconds(root)
                for descendant in root.children(recursive=True):
                    others[f"{descendant.pid} {descendant.name()}"] = cpu_seconds(descendant)
            except psutil.Error:
                pass  # a process ended between listing and reading: its last sample stands
            time.sleep(SAMPLE_SECONDS)
        if child.poll() is None:
            log.write(f"\nbenchmarks: stopped after the {timeout:g} s timeout\n")
            stop(child)
        code = child.wait()
        wall = time.perf_counter() - started
    return TimedRun(code, wall, root_cpu, others)
