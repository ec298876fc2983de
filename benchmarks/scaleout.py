"""Benchmark 5: scale-out, the same scenario with one and with two Locust worker processes.

`python -m load run steady_calls --workers N` against one reference server, users unpaced (a task
rate far above what a process can do), alternating 1 and 2 workers. Throughput from summary.json.
"""

from __future__ import annotations

from benchmarks.common import BenchConfig, Section, Table, alternating, fmt, machine_facts, median, ratio
from benchmarks.loadgen import LoadResult, run_load
from benchmarks.processes import reference_server

WORKERS = ("1", "2")
UNPACED_TASK_RATE = 10_000.0  # per user: constant_throughput then never waits


def generator_cpu(result: LoadResult) -> str:
    per_source = result.metric("metrics", "generator_cpu_percent") or {}
    return " + ".join(f"{row['mean']:.0f}" for name, row in sorted(per_source.items()) if name != "master") or "n/a"


def run(cfg: BenchConfig) -> Section:
    facts = machine_facts()
    users = 10 if cfg.quick else 40
    seconds = cfg.seconds(10.0, 2.0)
    results: dict[str, list[LoadResult]] = {w: [] for w in WORKERS}
    server_cpu: dict[str, list[float]] = {w: [] for w in WORKERS}
    with reference_server() as server:
        for rep, workers in alternating(WORKERS, cfg.repetitions):
            before = server.cpu()
            result = run_load(cfg, f"scaleout-{workers}-{rep}", "steady_calls", server.url,
                              ["-u", str(users), "-r", str(users), "--task-rate", f"{UNPACED_TASK_RATE:g}"],
                              seconds, workers=int(workers))
            server_cpu[workers].append((server.cpu() - before) / seconds)  # it only works during the run
            results[workers].append(result)
            cfg.log(f"  scale-out {workers} worker(s) #{rep + 1}: {fmt(result.metric('total', 'rps'))} req/s, "
                    f"generator CPU % {generator_cpu(result)}, exit {result.code}")
    rows = []
    for workers in WORKERS:
        runs = results[workers]
        rows.append([workers, fmt(median([r.metric("total", "rps") for r in runs])),
                     " / ".join(fmt(r.metric("total", "rps")) for r in runs),
                     " / ".join(generator_cpu(r) for r in runs), fmt(median(server_cpu[workers])),
                     fmt(median([r.metric("total", "failure_ratio") for r in runs]))])
    per_rep = [ratio(two.metric("total", "rps"), one.metric("total", "rps"))
               for one, two in zip(results["1"], results["2"], strict=True)]
    scale = median(per_rep)
    cores = int(facts["cores"]) if facts["cores"].isdigit() else 0
    return Section(
        "scaleout", "5. Scale-out: one vs two Locust workers",
        "", facts,
        tables=[Table(f"steady_calls, {users} users unpaced, {seconds:g} s, master + N workers on loopback, "
                      f"medians of {cfg.repetitions}",
                      ["workers", "requests/s", "per repetition", "worker CPU % (each)",
                       "server CPU (cores)", "failure ratio"], rows),
                Table("Throughput ratio (2 workers / 1 worker)", ["median", "per repetition"],
                      [[fmt(scale), " / ".join(fmt(r) for r in per_rep)]])],
        targets=[],
        notes=["Tool: `python -m load run steady_calls --workers N --task-rate 10000` (Locust FastHttpUser); "
               "requests/s is Locust's total rps from summary.json.",
               f"This machine has {cores} cores shared by the master, the workers and the reference server (one "
               "process, so at most one core): two workers can only scale while neither the server's core nor the "
               "machine is saturated. No target was set for this ratio; it is reported as measured."],
    )
