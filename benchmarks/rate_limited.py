"""The suite against a rate-limited cluster: requests, wall time and throttled answers per plan.

One reference server started with `--rate-limit-per-minute 100` (Capillary's demo-cluster limit,
per API key), and a profile that paces each key at that rate, so the plans run with their default
request budgets (gate: 2 minutes' worth, certification: 10 minutes'). The wall time is the run's
own command, from start to exit; the requests, per-key counts and throttled answers come from its
summary.json. One repetition per plan: at these durations the pacing, not the machine, sets the
time, and the certification plan alone takes about ten minutes. The smoke mode (`--quick`) runs the
gate plan on QUICK_REQUIREMENTS only (seconds, not the gate's two minutes): the same server, profile,
pacing and table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import BenchConfig, Section, Table, Target, machine_facts
from fixtures.matrix_runs import ROOT, derived_profile

PER_KEY_PER_MINUTE = 100
GOALS = {"gate": 120.0, "certification": 600.0}  # the goals: 2 and 10 minutes
# The smoke mode's share of the gate plan: a dozen requests, enough for the pacing to show.
QUICK_REQUIREMENTS = ("CAP-TOK-01", "CAP-TOK-02")
TAIL_LINES = 5


def run_plan(plan: str, profile: Path, reports: Path,
             requirements: Sequence[str] = ()) -> tuple[float, dict[str, Any], str]:
    """(wall seconds, the run's summary.json or {}, the tail of its output when it did not exit 0)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "conformance.cli", f"--profile={profile}", f"--plan={plan}",
                           "--seed=1", f"--reports-dir={reports}", *(f"--requirement={r}" for r in requirements)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.monotonic() - started
    summary = json.loads((reports / "summary.json").read_text()) if (reports / "summary.json").exists() else {}
    output = [line.strip() for line in (done.stderr.strip() or done.stdout).splitlines() if line.strip()]
    tail = " / ".join(output[-TAIL_LINES:]) if done.returncode != 0 else ""
    return seconds, summary, f"exit {done.returncode}: {tail}" if tail else ""


def run(cfg: BenchConfig) -> Section:
    scratch = cfg.scratch("rate-limited")
    profile = derived_profile(scratch, "rate-limited", ["--rate-limit-per-minute", str(PER_KEY_PER_MINUTE)],
                              overrides={"target.rate_limit_per_minute": PER_KEY_PER_MINUTE})
    plans = list(GOALS)[:1 if cfg.quick else None]
    requirements = QUICK_REQUIREMENTS if cfg.quick else ()
    only = f" ({', '.join(requirements)} only)" if requirements else ""
    rows, targets, failures = [], [], []
    for plan in plans:
        cfg.log(f"rate-limited: {plan} plan{only}")
        seconds, summary, failed = run_plan(plan, profile, scratch / plan, requirements)
        if failed:
            failures.append(f"The {plan} plan's run ended with {failed}")
        pacing = summary.get("pacing", {})
        per_key = pacing.get("requests_per_key", {})
        budget = summary.get("budget_plan", {})
        busiest = max(per_key.items(), key=lambda item: item[1], default=("-", 0))
        rows.append([plan + only, str(summary.get("requests", "-")), f"{busiest[0]} {busiest[1]}",
                     str(budget.get("budget_per_key", "-")), str(len(budget.get("not_run_budget", []))),
                     str(pacing.get("throttled", "-")), f"{seconds:.0f}", summary.get("verdict", "no summary")])
        conformant = summary.get("exit_code") == 0
        targets.append(Target(f"{plan} plan{only} wall time at {PER_KEY_PER_MINUTE}/min per key",
                              seconds if conformant else None, GOALS[plan], "<=", " s",
                              "" if conformant else f"the run was {summary.get('verdict', 'without a summary')}"))
        throttled = pacing.get("throttled")
        targets.append(Target(f"{plan} plan{only} throttled answers",
                              float(throttled) if throttled is not None else None, 0.0, "=="))
    table = Table(f"Plans against the reference server at {PER_KEY_PER_MINUTE} requests/min per key",
                  ["plan", "requests", "busiest key", "budget per key", "not run (budget)", "throttled", "wall s",
                   "verdict"], rows)
    notes = ["Tool: `benchmarks/rate_limited.py`. The suite paces each API key on its own bucket, shares positive "
             "controls between neighbouring attacks, reuses one token per role, and spreads attacks over several "
             "clients' keys; the default request budget keeps every MUST attack class (README, 'Rate-limited "
             "clusters').", *failures]
    return Section("ratelimited", "7. Rate-limited cluster: plans at 100 requests/min per key", "", machine_facts(),
                   [table], targets, notes)
