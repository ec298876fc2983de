"""The run's snapshot: Locust's stats by operation plus our metrics, as plain JSON-able data.

No locust import: Locust's `RequestStats` is read by duck typing, so this module is tested with
stand-ins and the gates are a pure function of what it returns.
"""

from __future__ import annotations

from typing import Any, Protocol

from load.metrics import RunMetrics
from load.settings import LoadSettings

PERCENTILES = {"p50_ms": 0.50, "p75_ms": 0.75, "p90_ms": 0.90, "p95_ms": 0.95, "p99_ms": 0.99, "p999_ms": 0.999}


class StatsEntry(Protocol):
    name: str
    method: str | None
    num_requests: int
    num_failures: int

    @property
    def fail_ratio(self) -> float: ...

    @property
    def avg_response_time(self) -> float: ...

    @property
    def total_rps(self) -> float: ...

    max_response_time: float

    def get_response_time_percentile(self, percent: float) -> float: ...


class RequestStats(Protocol):
    @property
    def entries(self) -> dict[tuple[str, str], Any]: ...

    @property
    def total(self) -> Any: ...


def entry_summary(entry: StatsEntry) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "method": entry.method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "failure_ratio": round(entry.fail_ratio, 6),
        "avg_ms": round(entry.avg_response_time, 2),
        "max_ms": round(entry.max_response_time or 0.0, 2),
        "rps": round(entry.total_rps, 2),
    }
    for key, percent in PERCENTILES.items():
        summary[key] = entry.get_response_time_percentile(percent) if entry.num_requests else None
    return summary


def run_snapshot(stats: RequestStats, metrics: RunMetrics, aborted: list[str] | None = None) -> dict[str, Any]:
    """What gates and summary.json see. Operations are keyed by stats name (`customer.get`, ...)."""
    operations = {entry.name: entry_summary(entry) for entry in stats.entries.values()}
    custom = metrics.summary()
    custom["herd_factor"] = metrics.herd_factor()
    custom["rate_ratio"] = custom["pacing"]["rate_ratio"]
    custom["busiest_generator_cpu"] = metrics.busiest_generator_cpu()
    custom["workers_reported"] = sorted(s for s in metrics.sources if s not in ("local", "master"))
    return {
        "operations": dict(sorted(operations.items())),
        "total": entry_summary(stats.total),
        "metrics": custom,
        "aborted": list(aborted or []),
    }


def settings_summary(options: Any, settings: LoadSettings, expected_workers: int,
                     shape: object | None) -> dict[str, Any]:
    """How the run was configured, as summary.json reports it (no secret: the profile is named, not copied)."""
    return {
        "users": options.num_users, "spawn_rate": options.spawn_rate, "run_time_seconds": options.run_time,
        "token_mode": settings.token_mode.value, "token_refresh_margin": settings.refresh_margin,
        "token_jitter": settings.jitter, "polite": settings.polite, "task_rate_per_user": settings.task_rate,
        "expected_workers": expected_workers, "shape": type(shape).__name__ if shape is not None else None,
    }
