"""Benchmark 4: the reference server's throughput on one core, latency at a fixed rate, its profile.

Closed loop (wrk with one thread when installed, else one unpaced Locust process) against one
server (one process, so one core at most), alternating token generation, a verified API call
(`GET /v1.1/customer/get` with a valid RS256 token) and a trivial endpoint (the cached static
`/.well-known/jwks.json`). Rates are given per second of wall time and per CPU-second of the
server process: the second is what one dedicated core would do, whatever else the machine runs.
The raw RSA-2048 sign rate comes from `openssl speed` (or `cryptography` in-process without it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from benchmarks.common import BenchConfig, Section, Table, Target, alternating, fmt, machine_facts, median, ratio
from benchmarks.loadgen import BARE, locust_command, percentile, run_probed, run_wrk, wrk_available
from benchmarks.processes import (
    CUSTOMER_GET_PATH,
    TOKEN_PATH,
    TRIVIAL_PATH,
    Server,
    fresh_token,
    reference_server,
    token_body,
)
from benchmarks.server_profile import Profile, py_spy, read_cprofile, record_py_spy
from conformance.protocol import TOKEN_HEADER

ENDPOINTS = ("token", "verified", "trivial")
BARE_MODES = {"token": "token", "verified": "customer_get", "trivial": "trivial"}
MAX_SIGNS = 200_000
VERIFIED_GAP = "what a verified call does beyond sending cached bytes, see the profile below"


@dataclass(frozen=True)
class Blast:
    requests: int
    seconds: float
    server_cpu: float
    non_2xx: int

    @property
    def rps(self) -> float | None:
        return self.requests / self.seconds if self.seconds > 0 else None

    @property
    def per_cpu(self) -> float | None:
        return self.requests / self.server_cpu if self.server_cpu > 0 else None


def sign_rate(seconds: float) -> tuple[float | None, str]:
    """RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on one core."""
    if shutil.which("openssl"):
        command = ["openssl", "speed", "-seconds", f"{max(1, round(seconds))}", "rsa2048"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=8 * seconds + 30, check=False)
        found = re.search(r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", done.stdout)
        if found:
            return float(found.group(1)), "`openssl speed -seconds N rsa2048` (sign/s)"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    started, count = time.perf_counter(), 0
    while time.perf_counter() - started < seconds and count < MAX_SIGNS:
        key.sign(b"benchmark", padding.PKCS1v15(), hashes.SHA256())
        count += 1
    return count / (time.perf_counter() - started), "cryptography RSA-2048 PKCS1v15 SHA-256 sign, in-process"


def blast(cfg: BenchConfig, server: Server, endpoint: str, seconds: float, name: str) -> Blast:
    """As many requests as one closed-loop client gets answered in `seconds`."""
    token = fresh_token(server.url)
    before = server.cpu()
    if wrk_available():
        paths = {"token": TOKEN_PATH, "verified": CUSTOMER_GET_PATH, "trivial": TRIVIAL_PATH}
        result = run_wrk(server.url + paths[endpoint], seconds, scratch=cfg.scratch(name),
                         headers={TOKEN_HEADER: token} if endpoint == "verified" else None,
                         body=token_body() if endpoint == "token" else None)
        cpu = server.cpu() - before
        return Blast(result.requests, result.seconds, cpu, result.non_2xx) if result else Blast(0, 0.0, cpu, 0)
    probe = run_probed(cfg, name, locust_command([BARE], server.url, 32, seconds), seconds,
                       {"BENCH_MODE": BARE_MODES[endpoint], "BENCH_TOKEN": token, "BENCH_TOKEN_BODY": token_body()})
    return Blast(probe.requests, probe.seconds, server.cpu() - before, probe.failures)


def fixed_rate(cfg: BenchConfig, server: Server, endpoint: str, users: int, rate: float, seconds: float,
               name: str) -> list[str]:
    """Locust constant_throughput at users x rate requests/s: achieved rate and latency percentiles."""
    env = {"BENCH_MODE": BARE_MODES[endpoint], "BENCH_TOKEN": fresh_token(server.url),
           "BENCH_TOKEN_BODY": token_body(), "BENCH_TASK_RATE": f"{rate:g}"}
    probe = run_probed(cfg, name, locust_command([BARE], server.url, users, seconds), seconds, env)
    return [endpoint, f"{users * rate:g}", fmt(probe.rps), fmt(percentile(probe.samples, 0.5)),
            fmt(percentile(probe.samples, 0.99)), fmt(probe.cpu_share), str(probe.failures)]


def profile_server(cfg: BenchConfig, endpoint: str, seconds: float) -> Profile | None:
    """Profile the server while it serves `endpoint` flat out: py-spy from outside, else cProfile."""
    spy = py_spy()
    if spy is not None:
        output = cfg.scratch("server-profile") / f"{endpoint}.txt"
        output.unlink(missing_ok=True)
        with reference_server() as server:
            load = threading.Thread(target=blast, args=(cfg, server, endpoint, seconds + 2, f"server-spy-{endpoint}"),
                                    daemon=True)
            load.start()
            time.sleep(1.0)  # past the client's start-up: sample the steady state
            profile = record_py_spy(spy, server.process.pid, seconds, output)
            load.join(seconds + 60)
        return profile
    output = cfg.scratch("server-profile") / f"{endpoint}.prof"
    output.unlink(missing_ok=True)
    with reference_server(cprofile_to=output) as server:
        blast(cfg, server, endpoint, seconds, f"server-profile-{endpoint}")
    return read_cprofile(output)


def quick_or(cfg: BenchConfig, endpoints: tuple[str, ...]) -> tuple[str, ...]:
    """Quick mode measures latency and profiles for the verified endpoint only."""
    return ("verified",) if cfg.quick else endpoints


def run(cfg: BenchConfig) -> Section:
    facts = machine_facts()
    seconds = cfg.seconds(5.0, 1.0)
    signs: list[float | None] = []
    sign_tool = ""
    blasts: dict[str, list[Blast]] = {e: [] for e in ENDPOINTS}
    with reference_server() as server:
        for rep, endpoint in alternating(ENDPOINTS, cfg.repetitions):
            if endpoint == ENDPOINTS[0] or (rep % 2 and endpoint == ENDPOINTS[-1]):
                rate, sign_tool = sign_rate(cfg.seconds(3.0, 1.0))  # between the blasts: same machine state
                signs.append(rate)
            result = blast(cfg, server, endpoint, seconds, f"server-{endpoint}-{rep}")
            blasts[endpoint].append(result)
            cfg.log(f"  server {endpoint} #{rep + 1}: {fmt(result.rps)} req/s, {fmt(result.per_cpu)} per server "
                    f"CPU-s, non-2xx {result.non_2xx}")
        users, per_user = (5, 20.0) if cfg.quick else (20, 50.0)
        latency = [fixed_rate(cfg, server, e, users if e != "token" else users // 2 or 1, per_user,
                              cfg.seconds(10.0, 2.0), f"server-latency-{e}") for e in quick_or(cfg, ENDPOINTS)]
    sign = median(signs)
    rps = {e: median([b.rps for b in blasts[e]]) for e in ENDPOINTS}
    per_cpu = {e: median([b.per_cpu for b in blasts[e]]) for e in ENDPOINTS}
    tool = "wrk -t1 -c32 (closed loop)" if wrk_available() else "one unpaced Locust FastHttpUser process, 32 users"
    rows = [[e, fmt(rps[e]), " / ".join(fmt(b.rps) for b in blasts[e]),
             fmt(median([b.server_cpu / b.seconds if b.seconds else None for b in blasts[e]])), fmt(per_cpu[e]),
             str(sum(b.non_2xx for b in blasts[e]))] for e in ENDPOINTS]
    token_wall, token_cpu = ratio(rps["token"], sign), ratio(per_cpu["token"], sign)
    verified_wall, verified_cpu = ratio(rps["verified"], rps["trivial"]), ratio(per_cpu["verified"], per_cpu["trivial"])
    profiles = {e: profile_server(cfg, e, cfg.seconds(5.0, 1.0)) for e in quick_or(cfg, ("verified", "token"))}
    notes = [f"Throughput tool: {tool}; {seconds:g} s per run. Sign rate: {sign_tool}, "
             f"{' / '.join(fmt(s) for s in signs)} per repetition. Latency: Locust constant_throughput "
             "(`benchmarks/bare_locustfile.py`), response times from the probe."]
    for endpoint, profile in profiles.items():
        notes += [f"Profile under {endpoint} load: {line}" for line in (profile.lines() if profile else
                                                                           ["not available"])]
    return Section(
        "server", "4. Reference server throughput on one core",
        "", facts,
        tables=[Table(f"Closed-loop throughput, medians of {cfg.repetitions} ({tool})",
                      ["endpoint", "requests/s", "per repetition", "server CPU (cores)",
                       "requests per server CPU-second", "non-2xx"], rows),
                Table("Ratios", ["ratio", "wall clock", "per server CPU-second"],
                      [["token generations / raw RSA-2048 sign rate", fmt(token_wall), fmt(token_cpu)],
                       ["verified calls / trivial endpoint", fmt(verified_wall), fmt(verified_cpu)]]),
                Table(f"Latency at a fixed rate ({'2' if cfg.quick else '10'} s each, Locust constant_throughput)",
                      ["endpoint", "offered req/s", "achieved req/s", "p50 ms", "p99 ms", "generator CPU (cores)",
                       "failures"], latency)],
        targets=[Target("token generation / raw RSA sign rate (per server CPU-second)", token_cpu, 0.5, ">="),
                 Target("token generation / raw RSA sign rate (wall clock)", token_wall, 0.5, ">=",
                        why="the server gets less than a whole core on this shared 2-core machine"),
                 Target("verified calls / trivial endpoint (per server CPU-second)", verified_cpu, 0.7, ">=",
                        why=VERIFIED_GAP),
                 Target("verified calls / trivial endpoint (wall clock)", verified_wall, 0.7, ">=", why=VERIFIED_GAP)],
        notes=notes,
    )
