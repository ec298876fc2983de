"""Pass/fail gates over a finished run, and the exit code they give (pure: no locust import).

Gates come from the profile's `[load.gates]` and from `--gate NAME=VALUE` (the CLI wins).
Names are either per operation, `<operation>.<statistic>` (e.g. `customer.get.p99_ms`), or
run-wide (`failure_ratio`, `leaked_498`, `herd_factor`, `min_rate_ratio`, ...). A name whose
last part starts with `min_` is a lower bound; every other gate is an upper bound.

A run can also be *invalid*: its numbers mean nothing (no request at all, a saturated
generator whose latencies are its own, a worker that never reported). Invalid beats failed.
The exit codes are the suite's (conformance.outcome): 0 every gate passed, 1 a gate failed,
2 usage error, 3 invalid run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from conformance.outcome import ExitCode

# Above this a Locust process measures its own scheduling delays (Locust warns at the same level).
GENERATOR_CPU_LIMIT_PERCENT = 90.0

OPERATIONS = ("token.generate", "token.generate.invalid", "customer.add", "customer.get",
              "transaction.add", "transaction.get")
OPERATION_STATISTICS = ("p50_ms", "p75_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "avg_ms", "max_ms",
                        "failure_ratio", "min_rps")
# Run-wide gate -> where its measured value lives in the snapshot.
RUN_GATES = {
    "failure_ratio": ("total", "failure_ratio"),
    "leaked_498": ("metrics", "leaked_498"),
    "failed_recoveries": ("metrics", "failed_recoveries"),
    "throttled_429": ("metrics", "throttled_429"),
    "herd_factor": ("metrics", "herd_factor"),
    "min_rate_ratio": ("metrics", "rate_ratio"),
    "min_total_rps": ("total", "rps"),
}
_OPERATION_GATE = re.compile(r"^(?P<operation>.+)\.(?P<statistic>[a-z0-9_]+)$")


class GateError(ValueError):
    """A gate that cannot be evaluated as written; str() names it and the fix."""


@dataclass(frozen=True)
class GateResult:
    name: str
    threshold: float
    measured: float | None
    bound: str  # "max" or "min"
    passed: bool | None  # None: not measured in this run (e.g. an operation the scenario never calls)

    def describe(self) -> str:
        if self.passed is None:
            return f"gate {self.name}: not measured in this run (threshold {self.threshold:g})"
        verdict = "passed" if self.passed else "FAILED"
        relation = ">=" if self.bound == "min" else "<="
        return f"gate {self.name} {verdict}: measured {self.measured:g}, required {relation} {self.threshold:g}"


def parse_gate_assignments(assignments: Iterable[str]) -> dict[str, float]:
    """`["customer.get.p95_ms=150", ...]` -> {name: threshold}; errors say which one and how to fix it."""
    gates: dict[str, float] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise GateError(f"--gate {assignment!r}: expected NAME=VALUE, e.g. customer.get.p95_ms=150")
        try:
            gates[name] = float(value)
        except ValueError:
            raise GateError(f"--gate {assignment!r}: {value!r} is not a number") from None
    for name in gates:
        check_gate_name(name)
    return gates


def check_gate_name(name: str) -> None:
    if name in RUN_GATES:
        return
    match = _OPERATION_GATE.match(name)
    if match and match["statistic"] in OPERATION_STATISTICS:
        return  # any operation name: scenarios may add their own
    known = [*RUN_GATES, *(f"{op}.{stat}" for op in OPERATIONS for stat in OPERATION_STATISTICS)]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"run-wide gates: {', '.join(RUN_GATES)}"
    raise GateError(f"unknown gate {name!r} ({hint})")


def effective_gates(profile_gates: Mapping[str, float], cli_gates: Mapping[str, float]) -> dict[str, float]:
    """Profile gates overlaid by CLI gates: the command line is the more specific source."""
    return {**profile_gates, **cli_gates}


def measured_value(name: str, snapshot: Mapping[str, Any]) -> float | None:
    if name in RUN_GATES:
        section, key = RUN_GATES[name]
        value = snapshot.get(section, {}).get(key)
        return None if value is None else float(value)
    match = _OPERATION_GATE.match(name)
    if match is None:
        return None
    operation = snapshot.get("operations", {}).get(match["operation"])
    if not operation or not operation.get("requests"):
        return None
    statistic = match["statistic"].removeprefix("min_")
    value = operation.get(statistic)
    return None if value is None else float(value)


def evaluate_gates(gates: Mapping[str, float], snapshot: Mapping[str, Any]) -> list[GateResult]:
    """Each gate against the run's snapshot (see `load.hooks.run_snapshot` for its shape)."""
    results = []
    for name, threshold in sorted(gates.items()):
        bound = "min" if name.rsplit(".", 1)[-1].startswith("min_") else "max"
        measured = measured_value(name, snapshot)
        if measured is None:
            passed = None
        elif bound == "min":
            passed = measured >= threshold
        else:
            passed = measured <= threshold
        results.append(GateResult(name, threshold, measured, bound, passed))
    return results


def invalid_run_reasons(snapshot: Mapping[str, Any], expected_workers: int = 0,
                        cpu_limit: float = GENERATOR_CPU_LIMIT_PERCENT) -> list[str]:
    """Why the run's numbers cannot be trusted; empty when they can."""
    reasons = list(snapshot.get("aborted", []))
    requests = snapshot.get("total", {}).get("requests") or 0
    answers = snapshot.get("metrics", {}).get("http_answers")
    if not requests:
        reasons.append("no requests were made (did any user start?)")
    elif answers == 0:
        reasons.append(f"the target gave no HTTP answer to any of {requests} requests (is it up, is the URL right?)")
    cpu = snapshot.get("metrics", {}).get("busiest_generator_cpu")
    if cpu is not None and cpu > cpu_limit:
        reasons.append(f"a load generator averaged {cpu:g}% CPU (limit {cpu_limit:g}%): its latencies are its own; "
                       "add workers or lower the rate")
    if expected_workers:
        reported = len(snapshot.get("metrics", {}).get("workers_reported", []))
        if reported < expected_workers:
            reasons.append(f"{reported} of {expected_workers} expected workers reported metrics")
    return reasons


def exit_code(results: Iterable[GateResult], invalid_reasons: Iterable[str]) -> ExitCode:
    """An invalid run's numbers mean nothing, so its gates cannot fail it: 3, not 1."""
    if list(invalid_reasons):
        return ExitCode.INCOMPLETE
    if any(result.passed is False for result in results):
        return ExitCode.NOT_CONFORMANT
    return ExitCode.CONFORMANT


def verdict(results: list[GateResult], invalid_reasons: list[str]) -> dict[str, Any]:
    """The JSON-able verdict for summary.json."""
    return {
        "exit_code": exit_code(results, invalid_reasons),
        "invalid_reasons": invalid_reasons,
        "gates": [asdict(result) for result in results],
    }
