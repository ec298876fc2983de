"""What the client judge's proxy adds to each exchange on loopback (issue 15: under 2 ms median).

    python -m benchmarks --only judge [--quick] [--results PATH]   (or: python -m benchmarks.judge_proxy [...])

One reference server, one judge in front of it (`--serve --scenario none`: recording, no
injection), and one keep-alive httpx client per path. The same request alternates between the
direct path and the judged path, in blocks (A B / B A …) so a noisy machine's drift cancels out;
the added latency is the difference of the two medians, per repetition and overall.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import PYTHON, REPO_ROOT, BenchConfig, Section, Table, Target, fmt, machine_facts
from conformance import protocol
from conformance.profiles import load_profile, running_target
from fixtures.client_matrix import signing_key

KEY = "judge"
OPERATIONS = {"customer.get": ("GET", f"{protocol.CUSTOMER_GET_PATH}?mobile={protocol.mobile_number(1)}&format=json"),
              "token.generate": ("POST", protocol.TOKEN_GENERATE_PATH)}
GOAL_MS = 2.0


def _timed(client: httpx.Client, method: str, path: str, headers: dict[str, str], body: object) -> float:
    started = time.perf_counter()
    response = client.request(method, path, headers=headers, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code >= 500:
        raise RuntimeError(f"{method} {path}: HTTP {response.status_code}")
    return elapsed * 1000


def _start_judge(target: str, work: Path) -> tuple[subprocess.Popen[str], str]:
    judge = subprocess.Popen(
        [PYTHON, "-m", "conformance.judge", "--serve", "--scenario", "none", f"--target={target}", "--seed=1",
         f"--reports-dir={work / 'judge-bundle'}", f"--signing-key={signing_key(work)}"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = judge.stdout.readline() if judge.stdout else ""  # the judge's first line names its URL
    if not line.startswith("judge listening on "):
        judge.kill()
        raise RuntimeError(f"the judge did not start: {line!r}")
    return judge, line.split()[-1]


def run(cfg: BenchConfig) -> Section:
    requests, repetitions = (200, 2) if cfg.quick else (1500, 4)
    profile = load_profile("reference")
    primary = profile.clients["primary"]
    credentials = protocol.token_request_body(primary.key, str(primary.secret))
    work = cfg.scratch("judge_proxy")
    with running_target(profile) as server:
        judge, judge_url = _start_judge(server.base_url, work)
        samples: dict[tuple[str, str, int], list[float]] = {}
        try:
            with httpx.Client(base_url=server.base_url, trust_env=False) as direct, \
                    httpx.Client(base_url=judge_url, trust_env=False) as judged:
                token = protocol.access_token(direct.post(OPERATIONS["token.generate"][1], json=credentials).json())
                if not token:
                    raise RuntimeError("the reference server issued no token to the primary client")
                paths = {"direct": direct, "through the judge": judged}
                for rep in range(repetitions):
                    order = list(paths) if rep % 2 == 0 else list(reversed(paths))
                    for operation, (method, path) in OPERATIONS.items():
                        count = requests if operation == "customer.get" else max(50, requests // 10)
                        body = credentials if method == "POST" else None
                        headers = {} if method == "POST" else {protocol.TOKEN_HEADER: token}
                        for name in order:
                            _timed(paths[name], method, path, headers, body)  # warm the connection
                            samples[(operation, name, rep)] = [_timed(paths[name], method, path, headers, body)
                                                               for _ in range(count)]
                            cfg.log(f"{operation} {name} rep {rep}: median "
                                    f"{statistics.median(samples[(operation, name, rep)]):.3f} ms")
        finally:
            judge.send_signal(signal.SIGINT)
            try:
                judge.wait(60)
            except subprocess.TimeoutExpired:
                judge.kill()
    return _section(samples, requests, repetitions)


def _section(samples: dict[tuple[str, str, int], list[float]], requests: int, repetitions: int) -> Section:
    rows, added_get = [], None
    for operation in OPERATIONS:
        direct = [statistics.median(samples[(operation, "direct", r)]) for r in range(repetitions)]
        judged = [statistics.median(samples[(operation, "through the judge", r)]) for r in range(repetitions)]
        added = [j - d for j, d in zip(judged, direct, strict=True)]
        all_direct = [v for r in range(repetitions) for v in samples[(operation, "direct", r)]]
        all_judged = [v for r in range(repetitions) for v in samples[(operation, "through the judge", r)]]
        p95 = statistics.quantiles(all_judged, n=20)[-1] - statistics.quantiles(all_direct, n=20)[-1]
        median_added = statistics.median(added)
        if operation == "customer.get":
            added_get = median_added
        rows.append([operation, str(len(all_direct) // repetitions), fmt(statistics.median(direct)),
                     fmt(statistics.median(judged)), fmt(median_added), " / ".join(fmt(a) for a in added), fmt(p95)])
    table = Table(f"Latency per exchange in ms, medians of {repetitions} repetitions (direct and judged alternate)",
                  ["operation", "requests per repetition", "direct", "through the judge", "added",
                   "added per repetition", "added at p95"], rows)
    return Section(
        KEY, "6. Client judge: latency the recording proxy adds per exchange", "", machine_facts(), [table],
        [Target("median latency added per API call (customer.get)", added_get, GOAL_MS, "<=", " ms")],
        notes=["Tool: `benchmarks/judge_proxy.py`. One reference server (launched from the reference profile), one "
               "judge (`python -m conformance.judge --serve --scenario none --target URL`: uvicorn with httptools on "
               "uvloop, httpx.AsyncClient to the target, every exchange recorded), and one keep-alive httpx client "
               "per path in the benchmark process; the three processes share the machine's two cores.",
               "Added = median(through the judge) − median(direct), per repetition; p95 likewise on the pooled "
               "samples. The cost is per exchange (one more loopback hop, parsing by uvicorn and httpx, one "
               "record), about the same for a verified API call and a token generation."])


if __name__ == "__main__":  # another name for `python -m benchmarks --only judge`, recorded as it was typed
    from benchmarks.__main__ import main

    sys.exit(main(["--only", KEY, *sys.argv[1:]], ["python", "-m", "benchmarks.judge_proxy", *sys.argv[1:]]))
