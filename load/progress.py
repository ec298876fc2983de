"""Live progress of a load run: one status line every ~2 s, so a 2-minute run is never silent.

The coordinator (a local run, or the master) prints: users, requests/s, failures, 498s the token
cache handled, regenerations, elapsed/total. On a terminal it goes through rich (colour, a
small bar); otherwise (CI logs, certify's load.log) as plain lines that read well in a file.
No locust or gevent import (so it is tested in plain pytest): `load.hooks` calls `tick()` from
the sampler greenlet it already runs every second.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console

PROGRESS_INTERVAL_SECONDS = 2.0
BAR_WIDTH = 20


@dataclass(frozen=True)
class Progress:
    users: int
    requests_per_second: float
    requests: int
    failures: int
    handled_498: int
    regenerations: int
    leaked_498: int
    elapsed_seconds: float
    total_seconds: float | None

    def plain_line(self) -> str:
        """One line for a log file: every figure named, nothing that needs a terminal."""
        total = f"/{self.total_seconds:.0f}s" if self.total_seconds else ""
        leaked = f", leaked 498s {self.leaked_498}" if self.leaked_498 else ""
        return (f"load: {self.elapsed_seconds:.0f}s{total} | users {self.users} | {self.requests_per_second:.1f} req/s "
                f"| requests {self.requests}, failures {self.failures} | 498s handled {self.handled_498}, "
                f"regenerations {self.regenerations}{leaked}")

    def rich_line(self) -> str:
        """The same figures with rich markup: a bar of the run time, failures and leaks in red."""
        if self.total_seconds:
            done = min(int(BAR_WIDTH * self.elapsed_seconds / self.total_seconds), BAR_WIDTH)
            bar = f"[cyan]{'━' * done}[/][dim]{'━' * (BAR_WIDTH - done)}[/] "
            clock = f"{self.elapsed_seconds:.0f}/{self.total_seconds:.0f} s"
        else:
            bar, clock = "", f"{self.elapsed_seconds:.0f} s"
        failures = f"[red]{self.failures}[/]" if self.failures else "0"
        leaked = f"  [bold red]leaked 498s {self.leaked_498}[/]" if self.leaked_498 else ""
        return (f"{bar}{clock}  [bold]{self.users}[/] users  [bold]{self.requests_per_second:.1f}[/] req/s  "
                f"failures {failures}  498s handled [bold]{self.handled_498}[/]  "
                f"regenerations [bold]{self.regenerations}[/]{leaked}")


class ProgressPrinter:
    """Prints `Progress` lines: rich on a terminal, plain lines otherwise (decided once, at start)."""

    def __init__(self, stream: IO[str] | None = None, terminal: bool | None = None,
                 interval: float = PROGRESS_INTERVAL_SECONDS, clock: Any = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        is_terminal = self.stream.isatty() if terminal is None else terminal
        self.console = Console(file=self.stream, force_terminal=True, highlight=False) if is_terminal else None
        self.interval, self.clock = interval, clock
        self.started = self.last_shown = clock()

    def show(self, progress: Progress) -> None:
        if self.console is not None:
            self.console.print(progress.rich_line(), soft_wrap=True)
        else:
            print(progress.plain_line(), file=self.stream, flush=True)

    def tick(self, environment: Any, run: Any, *, final: bool = False) -> None:
        """Show the run's state when `interval` has passed since the last line; when final, unless one just did."""
        now = self.clock()
        due = self.interval / 2 if final else self.interval - 0.05  # 50 ms: a 1 s sampler's jitter
        if now - self.last_shown >= due:
            self.last_shown = now
            self.show(snapshot(environment, run, now - self.started))


def _run_seconds(environment: Any) -> float | None:
    options = environment.parsed_options
    value = getattr(options, "run_time", None) if options is not None else None
    return float(value) if value else None


def snapshot(environment: Any, run: Any, elapsed_seconds: float) -> Progress:
    """What the run looks like now: Locust's totals plus our counters (workers' merged, our own undrained)."""
    total = environment.stats.total
    merged, own = run.run_metrics, run.metrics
    return Progress(
        users=int(environment.runner.user_count if environment.runner is not None else 0),
        requests_per_second=float(total.current_rps or 0.0), requests=int(total.num_requests),
        failures=int(total.num_failures),
        handled_498=int(merged.counts["expired_seen"] + own.expired_seen),
        regenerations=int(merged.generations["regeneration"] + own.generations["regeneration"]),
        leaked_498=int(merged.counts["expired_leaked"] + own.expired_leaked),
        elapsed_seconds=elapsed_seconds, total_seconds=_run_seconds(environment),
    )
