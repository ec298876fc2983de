"""Benchmark 1: the conformance suite's wall time per plan against the embedded reference server.

Each run is `capillary-conformance --plan P` from command start to exit: interpreter start,
collection, the server's launch, every test, the expiry waits, reports and the server's stop.
The expiry share comes from the JUnit times of test_expiry.py (its module fixture sleeps until
the server's clock passes exp); CPU of the suite process and of the server are sampled apart.
One gate run under cProfile says where the suite's own Python time goes.
"""

from __future__ import annotations

import os
import pstats
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, BenchConfig, Section, Table, Target, alternating, fmt, machine_facts, median
from benchmarks.processes import TimedRun, run_timed
from conformance.plans import PLANS

QUICK_SELECTION = ["--requirement", "CAP-USE-03", "--requirement", "CAP-TOK-01"]
TARGETS = {"gate": 20.0, "nightly": 90.0}
TIMEOUT_SECONDS = 600.0
SLEEP = "time.sleep: expiry waits and clock calibration"
WAIT = "waiting on sockets, pipes and locks (the server, the launcher)"
COMPILE = "compiling sources and pytest's assertion rewriting (no .pyc cache used)"
OWN = "everything else: the suite's own Python (pytest, plugin, checks, Hypothesis)"
_WAIT_NAMES = ("recv_into", "recv", "poll", "select", "acquire", "read", "send")


def category(filename: str, name: str) -> str:
    """Which bucket a pstats entry's self time belongs to."""
    if filename == "~" and "time.sleep" in name:
        return SLEEP
    if filename == "~" and any(f"'{wait}'" in name or name.endswith(f".{wait}>") for wait in _WAIT_NAMES):
        return WAIT
    if (filename == "~" and "builtins.compile" in name) or "assertion/rewrite.py" in filename \
            or filename.endswith("/ast.py"):
        return COMPILE
    return OWN

@dataclass(frozen=True)
class Variant:
    label: str
    plan: str
    extra: tuple[str, ...] = ()
    pyc_cache: bool = False  # PYTHONPYCACHEPREFIX in the work dir, warmed first: the .pyc cache a dev box has


def variants(quick: bool) -> list[Variant]:
    if quick:
        return [Variant("gate", "gate")]
    return [*(Variant(plan, plan) for plan in PLANS),
            Variant("gate --assert=plain", "gate", ("--assert=plain",)),
            Variant("gate, warm .pyc cache", "gate", pyc_cache=True)]


def suite_command(variant: Variant, reports: Path, quick: bool, profile_to: Path | None = None) -> list[str]:
    script = Path(PYTHON).parent / "capillary-conformance"
    if profile_to is not None:
        base = [PYTHON, "-m", "cProfile", "-o", str(profile_to), "-m", "conformance.cli"]
    else:
        base = [str(script)] if script.exists() else [PYTHON, "-m", "conformance.cli"]
    return [*base, "--plan", variant.plan, "--reports-dir", str(reports), *variant.extra,
            *(QUICK_SELECTION if quick else [])]


@dataclass
class SuiteRun:
    variant: Variant
    timed: TimedRun
    tests_seconds: float
    expiry_seconds: float
    test_count: int

    @property
    def outside_tests(self) -> float:
        return self.timed.wall - self.tests_seconds


def junit_times(path: Path) -> tuple[float, float, int]:
    """(sum of test times, test_expiry.py's share of it, test count); JUnit times include setup."""
    if not path.exists():
        return 0.0, 0.0, 0
    cases = list(ElementTree.parse(path).getroot().iter("testcase"))  # noqa: S314 - our own file
    total = sum(float(c.get("time", 0)) for c in cases)
    expiry = sum(float(c.get("time", 0)) for c in cases if c.get("classname", "").endswith("test_expiry"))
    return total, expiry, len(cases)


def run_suite(cfg: BenchConfig, variant: Variant, name: str, profile_to: Path | None = None) -> SuiteRun:
    reports = cfg.scratch(name)
    env = {"PYTHONPYCACHEPREFIX": str(cfg.scratch("pycache")), "PYTHONDONTWRITEBYTECODE": ""} \
        if variant.pyc_cache else None
    timed = run_timed(suite_command(variant, reports, cfg.quick, profile_to), timeout=TIMEOUT_SECONDS,
                      log_path=reports / "suite.log", env=env)
    tests, expiry, count = junit_times(reports / "junit.xml")
    return SuiteRun(variant, timed, tests, expiry, count)


def _suite_function(key: tuple[str, int, str]) -> bool:
    filename, _line, name = key
    return "/conformance/" in filename and not filename.endswith("cli.py") and name != "<module>"


def suite_hot_spots(raw: dict[Any, Any]) -> list[tuple[float, str]]:
    """The suite's functions by time spent in them and in the libraries they call, but not in other suite
    functions they call (cumulative minus suite callees): where the suite's own code makes time go."""
    spent = {key: float(value[3]) for key, value in raw.items() if _suite_function(key)}
    for key, (_cc, _nc, _tt, _ct, callers) in raw.items():
        if not _suite_function(key):
            continue
        for caller, edge in callers.items():
            if caller in spent and caller != key:
                spent[caller] -= float(edge[3])  # edge: (cc, nc, tottime, cumtime) of this call site
    return sorted(((seconds, f"{filename.rsplit('/conformance/', 1)[1]}:{line} {name}")
                   for (filename, line, name), seconds in spent.items()), reverse=True)


def profile_gate(run: SuiteRun, output: Path) -> tuple[Table, float, list[str]]:
    """A gate run made under cProfile: wall split into waits and Python, and the top Python costs."""
    timed = run.timed
    if not output.exists():
        return Table("cProfile of one gate run", ["cost", "seconds"], [["no profile written", "n/a"]]), 0.0, []
    stats = pstats.Stats(str(output))
    raw = stats.stats  # type: ignore[attr-defined]  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    buckets = dict.fromkeys((SLEEP, WAIT, COMPILE, OWN), 0.0)
    for (filename, _line, name), (_cc, _nc, tottime, _cumtime, _callers) in raw.items():
        buckets[category(filename, name)] += tottime
    rows = [[label, fmt(seconds), fmt(seconds / total if total else None)] for label, seconds in buckets.items()]
    top = [f"`{where}` {fmt(seconds)} s" for seconds, where in suite_hot_spots(raw)[:10]]
    own = buckets[OWN]
    table = Table(f"cProfile of one gate run ({fmt(timed.wall)} s wall under the profiler; main thread)",
                  ["where the time went", "seconds", "share"], rows)
    return table, own, top


def run(cfg: BenchConfig) -> Section:
    facts = machine_facts()
    chosen = variants(cfg.quick)
    by_label = {v.label: v for v in chosen}
    runs: dict[str, list[SuiteRun]] = {v.label: [] for v in chosen}
    profile_output = cfg.scratch("suite-profile") / "gate.prof"
    if any(v.pyc_cache for v in chosen):
        run_suite(cfg, next(v for v in chosen if v.pyc_cache), "suite-warm-pyc")  # fills the .pyc cache
    for rep, label in alternating(list(runs), cfg.repetitions):
        # Quick mode makes one run only, so that run is also the profiled one.
        result = run_suite(cfg, by_label[label], f"suite-{label.replace(' ', '_')}-{rep}",
                           profile_output if cfg.quick else None)
        runs[label].append(result)
        cfg.log(f"  suite {label} #{rep + 1}: {fmt(result.timed.wall)} s wall, expiry {fmt(result.expiry_seconds)} s, "
                f"exit {result.timed.code}")
    profiled = runs["gate"][0] if cfg.quick else run_suite(cfg, by_label["gate"], "suite-profile", profile_output)
    rows = []
    for label, r in runs.items():
        wall = median([x.timed.wall for x in r])
        expiry = median([x.expiry_seconds for x in r])
        suite_cpu = median([x.timed.root_cpu for x in r])
        rows.append([label, fmt(wall), " / ".join(fmt(x.timed.wall) for x in r), str(r[0].test_count),
                     fmt(median([x.tests_seconds for x in r])), fmt(median([x.outside_tests for x in r])),
                     fmt(expiry), fmt(expiry / wall if wall and expiry is not None else None),
                     fmt(suite_cpu), fmt(suite_cpu / wall if wall and suite_cpu is not None else None),
                     fmt(median([x.timed.children_cpu for x in r])), ",".join(str(x.timed.code) for x in r)])
    profile_table, own, top = profile_gate(profiled, profile_output)
    targets = [Target(f"{plan} plan wall time", median([x.timed.wall for x in runs[plan]]), limit, "<=", " s")
               for plan, limit in TARGETS.items() if plan in runs]
    gate_expiry = median([x.expiry_seconds for x in runs["gate"]]) or 0.0
    scope = " (quick: CAP-USE-03 and CAP-TOK-01 only, one run, under cProfile)" if cfg.quick else ""
    return Section(
        "suite", "1. Conformance suite wall time against the embedded reference server",
        "", facts,
        tables=[Table(f"Per plan, medians of {cfg.repetitions}{scope}",
                      ["run", "wall s", "per repetition", "tests", "in tests s", "outside tests s (start-up, "
                       "launch, reports)", "expiry waits s", "expiry share", "suite CPU s", "suite CPU share",
                       "server CPU s", "exit codes"], rows),
                profile_table],
        targets=targets,
        notes=["Tool: `capillary-conformance --plan P --reports-dir DIR` timed from start to exit; test times from its "
               "junit.xml (setup included, so test_expiry.py's module fixture, which sleeps until the server's clock "
               "passes exp, is counted in the expiry column); CPU sampled with psutil per process.",
               f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} in this environment: "
               "without a .pyc cache every run compiles its imports and pytest rewrites the asserts of every module "
               "of the distribution again. The `--assert=plain` and `warm .pyc cache` rows measure the two ways out.",
               f"Expiry waits are overlapped: the plugin's expiry lane measures the boundary pair (clock calibration, "
               "sleep to exp - 0.35 s, sleep to exp + 0.2 s) in a background thread from preflight on, and the "
               f"expiry tests run last; the expiry column ({fmt(gate_expiry)} s in the gate plan) is what is left "
               "to wait for when they start.",
               f"Where the suite's code spends the profiled gate run (time in a suite function and the libraries "
               f"it calls, not counting other suite functions; {fmt(own)} s of own Python in all): " + "; ".join(top)],
    )
