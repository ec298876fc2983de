"""Benchmark 2: the load generator's efficiency, steady_calls (token cache, checks, metrics) vs bare.

Each runs in its own Locust process against the same reference server, with the same users, the
same offered rate (constant_throughput) and the same request mix; the two run at the same time,
so whatever the (virtual) machine does to CPU time hits both alike, and each repetition gives one
paired ratio. The probe measures each process's CPU between test start and stop; efficiency is
requests per generator CPU-second.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from benchmarks.common import BenchConfig, Section, Table, Target, fmt, machine_facts, median, ratio
from benchmarks.loadgen import BARE, STEADY_CALLS, ProbeResult, locust_command, run_probed
from benchmarks.processes import fresh_token, reference_server

VARIANTS = ("steady_calls", "bare")


def run(cfg: BenchConfig) -> Section:
    facts = machine_facts()
    users = 5 if cfg.quick else 20
    rate = 20.0 if cfg.quick else 40.0  # iterations per user per second: 100 / 800 requests/s offered
    seconds = cfg.seconds(10.0, 2.0)
    repetitions = 1 if cfg.quick else 5  # the noisiest of the ratios: CPU per request under contention
    results: dict[str, list[ProbeResult]] = {v: [] for v in VARIANTS}
    with reference_server() as server, ThreadPoolExecutor(len(VARIANTS)) as pool:
        for rep in range(repetitions):
            token = fresh_token(server.url)
            report = cfg.scratch(f"generator-steady_calls-{rep}") / "report"
            commands = {
                "steady_calls": (locust_command([STEADY_CALLS], server.url, users, seconds,
                                                ["--profile", "reference", "--task-rate", f"{rate:g}",
                                                 "--report-dir", str(report)]), {}),
                "bare": (locust_command([BARE], server.url, users, seconds),
                         {"BENCH_MODE": "mix", "BENCH_TOKEN": token, "BENCH_TASK_RATE": f"{rate:g}"}),
            }
            futures = {variant: pool.submit(run_probed, cfg, f"generator-{variant}-{rep}", command, seconds, env)
                       for variant, (command, env) in commands.items()}
            for variant, future in futures.items():
                result = future.result()
                results[variant].append(result)
                cfg.log(f"  generator {variant} #{rep + 1}: {fmt(result.rps)} req/s, "
                        f"{fmt(result.per_cpu_second)} req per CPU-s, exit {result.code}")
    rows = []
    for variant in VARIANTS:
        runs = results[variant]
        rows.append([variant, fmt(median([r.rps for r in runs])), fmt(median([r.cpu_share for r in runs])),
                     fmt(median([r.per_cpu_second for r in runs])),
                     " / ".join(fmt(r.per_cpu_second) for r in runs),
                     str(sum(r.failures for r in runs))])
    per_rep = [ratio(s.per_cpu_second, b.per_cpu_second) for s, b in zip(results["steady_calls"], results["bare"],
                                                                          strict=True)]
    efficiency = median(per_rep)
    return Section(
        "generator", "2. Load generator efficiency: steady_calls vs a bare FastHttpUser",
        "", facts,
        tables=[Table(f"{users} users x {rate:g} iterations/s each ({users * rate:g} requests/s offered), "
                      f"{seconds:g} s, one Locust process each, both at once, medians of {repetitions}",
                      ["generator", "requests/s", "generator CPU (cores)", "requests per CPU-second",
                       "per repetition", "failures"], rows),
                Table("Ratio (steady_calls / bare, requests per generator CPU-second)",
                      ["median", "per repetition"], [[fmt(efficiency), " / ".join(fmt(r) for r in per_rep)]])],
        targets=[Target("steady_calls efficiency vs bare FastHttpUser", efficiency, 0.9, ">=",
                        why="see the notes: the per-request cost of the scenario harness")],
        notes=["Tool: Locust FastHttpUser for both, run concurrently against one server (the probe "
               "`benchmarks/locust_probe.py` counts requests and CPU from test start to stop); same offered rate, "
               "so the ratio is the inverse of CPU per request.",
               "The bare user sends the same requests with the same weights and a fixed valid token "
               "(`benchmarks/bare_locustfile.py`, BENCH_MODE=mix); it checks nothing and keeps no metrics."],
    )
