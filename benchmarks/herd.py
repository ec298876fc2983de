"""Benchmark 3: the regeneration herd, per token mode and user count, with the short-lived client.

`python -m load run expiry_wave` (2-second tokens; every user acts on the same clock ticks, so
each expiry reaches every user at once) in single_flight, naive and per_user modes at 50 and 500
users, alternating. From summary.json: regenerations per expiry per process (mean and worst),
498s, and the latency of 498 -> regenerate -> retry (REGEN `<op>.regen` rows).
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import BenchConfig, Section, Table, Target, alternating, fmt, machine_facts, median
from benchmarks.loadgen import LoadResult, run_load
from benchmarks.processes import reference_server

MODES = ("single_flight", "naive", "per_user")


def herd_mean(result: LoadResult) -> float | None:
    """Regenerations per expiry per process, averaged over the run's expiries (and processes)."""
    per_process: dict[str, Any] = result.metric("metrics", "herd", "per_process") or {}
    expiries = sum(int(p["expiries"]) for p in per_process.values())
    total = sum(float(p["mean"]) * int(p["expiries"]) for p in per_process.values())
    return total / expiries if expiries else None


def regen_latency(result: LoadResult, key: str) -> float | None:
    """The busiest `.regen` row's percentile (ms): the cost of one 498 -> regenerate -> retry."""
    operations: dict[str, Any] = result.metric("operations") or {}
    rows = [row for name, row in operations.items() if name.endswith(".regen") and row.get("requests")]
    if not rows:
        return None
    value = max(rows, key=lambda row: row["requests"]).get(key)
    return float(value) if value is not None else None


def run(cfg: BenchConfig) -> Section:
    facts = machine_facts()
    user_counts = (50,) if cfg.quick else (50, 500)
    seconds = cfg.seconds(10.0, 3.0)
    modes = ("single_flight", "per_user") if cfg.quick else MODES
    variants = [f"{mode}@{users}" for users in user_counts for mode in modes]
    results: dict[str, list[LoadResult]] = {v: [] for v in variants}
    with reference_server() as server:
        for rep, variant in alternating(variants, cfg.repetitions):
            mode, users = variant.split("@")
            result = run_load(cfg, f"herd-{mode}-{users}-{rep}", "expiry_wave", server.url,
                              ["-u", users, "-r", users, "--token-mode", mode], seconds)
            results[variant].append(result)
            cfg.log(f"  herd {variant} #{rep + 1}: {fmt(herd_mean(result))} regenerations per expiry per process "
                    f"(worst {fmt(result.metric('metrics', 'herd', 'factor'))}), exit {result.code}")
    rows = []
    for variant in variants:
        mode, users = variant.split("@")
        runs = results[variant]
        rows.append([
            mode, users,
            fmt(median([herd_mean(r) for r in runs])),
            fmt(median([r.metric("metrics", "herd", "factor") for r in runs])),
            fmt(median([r.metric("metrics", "token_generations", "regeneration") for r in runs])),
            fmt(median([r.metric("metrics", "expired_498_seen") for r in runs])),
            fmt(median([r.metric("metrics", "leaked_498") for r in runs])),
            fmt(median([regen_latency(r, "p50_ms") for r in runs])),
            fmt(median([regen_latency(r, "p99_ms") for r in runs])),
            fmt(median([r.metric("metrics", "busiest_generator_cpu") for r in runs])),
            ",".join(str(r.code) for r in runs),
        ])
    worst_single = [r.metric("metrics", "herd", "factor") for u in user_counts for r in results[f"single_flight@{u}"]]
    measured = max((float(w) for w in worst_single if w is not None), default=None)
    return Section(
        "herd", "3. Regeneration herd: generations per expiry per process",
        "", facts,
        tables=[Table(f"expiry_wave, short_lived client (2 s tokens), {seconds:g} s, 4 ticks/s per user, "
                      f"one Locust process, medians of {cfg.repetitions}",
                      ["token mode", "users", "generations per expiry per process (mean)", "worst expiry",
                       "regenerations", "498s seen", "498s leaked", "498->regen->retry p50 ms", "p99 ms",
                       "generator CPU %", "exit codes"], rows)],
        targets=[Target("single_flight: generations per expiry per process (worst of every run)", measured, 1.0,
                        "==", why="a second caller regenerated the same expiry")],
        notes=["Tool: `python -m load run expiry_wave --token-mode MODE -u N -r N` against one reference server; "
               "numbers from its summary.json (`metrics.herd`, `metrics.token_generations`, `operations.*.regen`).",
               "per_user counts N tokens expiring in the same second as one expiry with N generations: the herd "
               "a per-user cache brings when users start together. With 500 users the 500 first tokens take longer "
               "than a second to mint, so each wave straddles two expiry seconds and the mean per expiry falls "
               "below N while the regenerations stay about N per wave.",
               "Exit code 1 is a load gate of the reference profile failing (token.generate.p95_ms 250, "
               "customer.get.p95_ms 150): the latency a herd costs; 3 would be an invalid run."],
    )
