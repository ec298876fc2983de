"""Child processes with a deadline and their CPU: the reference server, commands, process trees.

Every wait here is bounded: a command past its timeout is terminated (then killed). The
reference server is launched from its profile (conformance.profiles.target), which stops it
with SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import psutil

from benchmarks.common import REPO_ROOT
from conformance.profiles import Profile, load_profile
from conformance.profiles.target import launched_target
from conformance.protocol import TOKEN_GENERATE_PATH

PROFILE_FILE = REPO_ROOT / "fixtures" / "profiles" / "reference.toml"
TOKEN_PATH = TOKEN_GENERATE_PATH
CUSTOMER_GET_PATH = "/v1.1/customer/get?mobile=1&format=json"
TRIVIAL_PATH = "/.well-known/jwks.json"  # a cached, static JSON body: the server's cheapest answer
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


@contextmanager
def reference_server(cprofile_to: Path | None = None) -> Iterator[Server]:
    """The reference server on a free loopback port, one worker: one process, so one core at most.

    Launched from the reference profile like every target. With `cprofile_to`, it runs under
    `python -m cProfile`, which writes the file when SIGTERM stops it.
    """
    profile = load_profile(str(PROFILE_FILE))
    if cprofile_to is not None:
        profile = _under_cprofile(profile, cprofile_to)
    with launched_target(profile) as server:
        yield Server(server.base_url, psutil.Process(server.process.pid))


def _under_cprofile(profile: Profile, output: Path) -> Profile:
    """`python -m cProfile -o OUTPUT -m fixtures.reference_server ...`: the profiler goes before the module."""
    if profile.launch is None:
        raise ValueError(f"{profile.source}: no [launch] to profile")
    python, *rest = profile.launch.command
    command = (python, "-m", "cProfile", "-o", str(output), *rest)
    return replace(profile, launch=replace(profile.launch, command=command))


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
