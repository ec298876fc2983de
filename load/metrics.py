"""Metrics Locust does not keep: token generations, 498s, herd factor, pacing, generator CPU.

Pure (no locust import) so aggregation is unit-tested in plain pytest. Each process records
into a `ProcessMetrics`; a worker ships `drain()` deltas to the master with every stats report
(`events.report_to_master`), and the master (or a local run) merges them into a `RunMetrics`
keyed by process, because the herd factor means "regenerations per expiry *per process*".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from load.token_cache import CachedToken, GenerationReason

# Bounded memory whatever the run length: a timeline longer than this loses its oldest seconds.
MAX_TIMELINE_SECONDS = 7200
MAX_MARKED_EVENTS = 2000

RecoverySample = Callable[[str, float, bool], None]


class ProcessMetrics:
    """One process's counters; implements the token cache's `TokenEvents`."""

    def __init__(self, clock: Callable[[], float] = time.time, recovery_sample: RecoverySample | None = None) -> None:
        self._clock = clock
        self.recovery_sample = recovery_sample
        self._reset()

    def _reset(self) -> None:
        self.generations: Counter[str] = Counter()
        self.expired_seen = 0
        self.expired_leaked = 0
        self.recovery_failures = 0
        self.throttled = 0
        self.task_iterations = 0
        self.planned_iterations = 0.0
        self.answered = 0
        self.herd: Counter[str] = Counter()
        self.cpu_samples: list[float] = []
        self.marked_events: list[tuple[float, str]] = []
        # second -> [requests, failures, latency sum ms, latency max ms]
        self.seconds: dict[int, list[float]] = {}
        # second -> latency histogram {bucket ms: count}, so percentiles per second survive merging
        self.latency: dict[int, Counter[int]] = {}

    # -- TokenEvents -------------------------------------------------------------------------
    def token_generated(self, reason: GenerationReason, replaced: CachedToken | None) -> None:
        self.generations[reason.value] += 1
        if replaced is not None and reason is not GenerationReason.INITIAL:
            self.herd[replaced.expiry_key] += 1
            self._mark(reason.value)

    def expired_token_seen(self, token: CachedToken) -> None:
        self.expired_seen += 1
        self._mark("expiry")

    def expired_token_leaked(self, token: CachedToken) -> None:
        self.expired_leaked += 1
        self._mark("leak")

    def expiry_recovered(self, label: str, seconds: float, succeeded: bool) -> None:
        if not succeeded:
            self.recovery_failures += 1
        if self.recovery_sample is not None:
            self.recovery_sample(label, seconds, succeeded)

    # -- the rest of the run -----------------------------------------------------------------
    def token_generated_directly(self) -> None:
        """A token minted outside any cache (the token storm): counted, but no expiry replaced."""
        self.generations["direct"] += 1

    def throttled_answer(self) -> None:
        self.throttled += 1

    def task_done(self) -> None:
        self.task_iterations += 1

    def plan(self, seconds: float, users: int, iterations_per_user_second: float) -> None:
        """Accumulate what the pacing promised, so shapes and ramps are planned correctly."""
        self.planned_iterations += seconds * users * iterations_per_user_second

    def cpu_sample(self, percent: float) -> None:
        self.cpu_samples.append(round(percent, 1))

    def request_finished(self, start_time: float, response_time_ms: float, failed: bool, answered: bool = True) -> None:
        self.answered += int(answered)
        second = int(start_time)
        row = self.seconds.get(second)
        if row is None:
            if len(self.seconds) >= MAX_TIMELINE_SECONDS:
                oldest = min(self.seconds)
                del self.seconds[oldest]
                self.latency.pop(oldest, None)
            row = self.seconds[second] = [0, 0, 0.0, 0.0]
            self.latency[second] = Counter()  # with its row: one per second, not one per request
        self.latency[second][latency_bucket(response_time_ms)] += 1
        row[0] += 1
        row[1] += int(failed)
        row[2] += response_time_ms
        row[3] = max(row[3], response_time_ms)

    def _mark(self, kind: str) -> None:
        if len(self.marked_events) < MAX_MARKED_EVENTS:
            self.marked_events.append((round(self._clock(), 3), kind))

    def drain(self) -> dict[str, Any]:
        """A JSON-able delta since the last drain (what a worker sends to the master)."""
        delta = {
            "generations": dict(self.generations),
            "expired_seen": self.expired_seen,
            "expired_leaked": self.expired_leaked,
            "recovery_failures": self.recovery_failures,
            "throttled": self.throttled,
            "task_iterations": self.task_iterations,
            "planned_iterations": self.planned_iterations,
            "answered": self.answered,
            "herd": dict(self.herd),
            "cpu_samples": list(self.cpu_samples),
            "marked_events": [list(e) for e in self.marked_events],
            "seconds": {str(k): list(v) for k, v in self.seconds.items()},
            # string keys: the delta travels as JSON-like data (msgpack to the master, JSON in tests)
            "latency": {str(k): {str(ms): n for ms, n in h.items()} for k, h in self.latency.items()},
        }
        self._reset()
        return delta


class RunMetrics:
    """The run's metrics merged from every process (the master's view, or a local run's)."""

    def __init__(self) -> None:
        self.sources: set[str] = set()
        self.generations: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.planned_iterations = 0.0
        self.herd: dict[str, Counter[str]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.marked_events: list[tuple[float, str, str]] = []
        self.seconds: dict[int, list[float]] = {}
        self.latency: dict[int, Counter[int]] = {}

    def merge(self, source: str, delta: Mapping[str, Any]) -> None:
        self.sources.add(source)
        self.generations.update(delta.get("generations", {}))
        for name in ("expired_seen", "expired_leaked", "recovery_failures", "throttled", "task_iterations", "answered"):
            self.counts[name] += int(delta.get(name, 0))
        self.planned_iterations += float(delta.get("planned_iterations", 0.0))
        self.herd.setdefault(source, Counter()).update(delta.get("herd", {}))
        self.cpu.setdefault(source, []).extend(delta.get("cpu_samples", []))
        room = MAX_MARKED_EVENTS - len(self.marked_events)
        self.marked_events += [(float(t), str(kind), source) for t, kind in delta.get("marked_events", [])[:room]]
        for second, (requests, failures, total_ms, max_ms) in delta.get("seconds", {}).items():
            row = self.seconds.setdefault(int(second), [0, 0, 0.0, 0.0])
            row[0] += requests
            row[1] += failures
            row[2] += total_ms
            row[3] = max(row[3], max_ms)
        for second, histogram in delta.get("latency", {}).items():
            self.latency.setdefault(int(second), Counter()).update({int(ms): int(n) for ms, n in histogram.items()})

    def herd_factor(self) -> float | None:
        """The worst regenerations-per-expiry of any process; None when nothing expired."""
        counts = [n for per_process in self.herd.values() for n in per_process.values()]
        return float(max(counts)) if counts else None

    def rate_ratio(self) -> float | None:
        if self.planned_iterations <= 0:
            return None
        return self.counts["task_iterations"] / self.planned_iterations

    def cpu_by_source(self) -> dict[str, dict[str, float]]:
        return {
            source: {"mean": round(sum(s) / len(s), 1), "max": max(s), "samples": len(s)}
            for source, s in sorted(self.cpu.items()) if s
        }

    def busiest_generator_cpu(self) -> float | None:
        """Mean CPU of the busiest process: one saturated process already skews latency."""
        means = [row["mean"] for row in self.cpu_by_source().values()]
        return max(means) if means else None

    def summary(self) -> dict[str, Any]:
        herd_per_process = {
            source: {
                "expiries": len(per_expiry),
                "max": max(per_expiry.values()),
                "mean": round(sum(per_expiry.values()) / len(per_expiry), 3),
            }
            for source, per_expiry in sorted(self.herd.items()) if per_expiry
        }
        return {
            "processes": sorted(self.sources),
            "token_generations": {
                "initial": self.generations["initial"],
                "regeneration": self.generations["regeneration"],
                "refresh": self.generations["refresh"],
                "direct": self.generations["direct"],
                "total": sum(self.generations.values()),
            },
            "expired_498_seen": self.counts["expired_seen"],
            "leaked_498": self.counts["expired_leaked"],
            "failed_recoveries": self.counts["recovery_failures"],
            "throttled_429": self.counts["throttled"],
            "http_answers": self.counts["answered"],
            "herd": {"factor": self.herd_factor(), "per_process": herd_per_process},
            "pacing": {
                "task_iterations": self.counts["task_iterations"],
                "planned_iterations": round(self.planned_iterations, 1),
                "rate_ratio": _rounded(self.rate_ratio()),
            },
            "generator_cpu_percent": self.cpu_by_source(),
        }

    def timeline(self) -> dict[str, Any]:
        rows = [
            [second, int(r[0]), int(r[1]), round(r[2] / r[0], 2) if r[0] else 0.0, round(r[3], 2),
             *(percentile(self.latency.get(second, Counter()), q) for q in (0.50, 0.95, 0.99))]
            for second, r in sorted(self.seconds.items())
        ]
        return {
            "columns": ["second", "requests", "failures", "mean_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"],
            "seconds": rows,
            "events": sorted([t, kind, source] for t, kind, source in self.marked_events),
            # token generations per expiry per process: the herd chart's bars
            "herd": {source: dict(sorted(per_expiry.items())) for source, per_expiry in sorted(self.herd.items())},
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def latency_bucket(ms: float) -> int:
    """Two significant digits, as Locust rounds its own response times: bounded histograms, ~1 % error."""
    value = round(ms)
    if value < 100:
        return int(value)
    if value < 1000:
        return int(round(value, -1))
    if value < 10000:
        return int(round(value, -2))
    return int(round(value, -3))


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The smallest bucket at or below which `fraction` of the samples lie; None without samples."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted, seen = fraction * total, 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= wanted:
            return float(ms)
    return float(max(histogram))
