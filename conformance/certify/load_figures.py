"""The load run's headline figures: one table of where each sits in load's summary.json, the key the
certification summary keeps it under (`load.totals`), and how a page labels it.

Read by the certification step (conformance.certify.steps), drawn by summary.html (summary_load)
and by load's own timeline.html (load.reports). Pure and light: load imports it in every Locust
process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    key: str  # in the certification summary's load.totals
    path: tuple[str, ...]  # in load's summary.json
    label: str  # short, as timeline.html lists it
    note: str = ""  # what it means, added in brackets where there is room (summary.html)

    @property
    def described(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label


# The token figures first: regeneration under load is what the product exists to get right.
FIGURES = (
    Figure("expired_498_seen", ("metrics", "expired_498_seen"), "498s handled", "token expired, regenerated, retried"),
    Figure("regenerations", ("metrics", "token_generations", "regeneration"), "regenerations",
           "new tokens after a 498"),
    Figure("refreshes", ("metrics", "token_generations", "refresh"), "refreshes", "renewed before expiry"),
    Figure("herd_factor", ("metrics", "herd", "factor"), "herd factor", "generations per expiry per process; "
                                                                         "1 is ideal"),
    Figure("leaked_498", ("metrics", "leaked_498"), "leaked 498s", "expired again after regenerate-and-retry"),
    Figure("requests", ("total", "requests"), "requests"),
    Figure("failures", ("total", "failures"), "failures"),
    Figure("failure_ratio", ("total", "failure_ratio"), "failure ratio"),
    Figure("rps", ("total", "rps"), "requests/s"),
    Figure("p95_ms", ("total", "p95_ms"), "p95 (ms)"),
    Figure("p99_ms", ("total", "p99_ms"), "p99 (ms)"),
)
BY_KEY = {figure.key: figure for figure in FIGURES}


def value_at(summary: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at `path` in a load summary, or None where any step of it is missing or not an object."""
    value: Any = summary
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def load_figures(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure the load summary holds, by key, in the table's order (absent ones left out)."""
    return {figure.key: value for figure in FIGURES if (value := value_at(summary, figure.path)) is not None}
