"""Verdicts per test and per requirement, the run summary JSON, and the exit code."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance.outcome import ExitCode, verdict_for, verdict_severity
from conformance.requirements import REQUIREMENTS, Level


@dataclass
class TestResult:
    nodeid: str
    requirements: list[str]
    level: str
    verdict: str  # pass | fail | warning | skipped | error | xfail
    duration: float
    message: str = ""
    exchanges: list[int] = field(default_factory=list)
    basis: str = ""
    requests: dict[str, int] = field(default_factory=dict)  # requests per key (by role) this test sent


@dataclass
class RunResults:
    tests: dict[str, TestResult] = field(default_factory=dict)
    suite_errors: list[str] = field(default_factory=list)
    # A run narrowed with --requirement judges only those requirements.
    only_requirements: tuple[str, ...] = ()
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    # "What this target does" where the docs leave it open: listed in the summary, never a verdict.
    observations: list[dict[str, str]] = field(default_factory=list)
    # Why the run stopped early (the breaker opened), or "": an early stop is at best incomplete.
    stopped: str = ""

    def observe(self, test: str, requirement: str, what: str, observed: str) -> None:
        self.observations.append({"test": test, "requirement": requirement, "what": what, "observed": observed})

    def record(self, result: TestResult) -> None:
        """setup, call and teardown each report: merge their evidence, keep the worst verdict."""
        previous = self.tests.get(result.nodeid)
        if previous is None:
            self.tests[result.nodeid] = result
            return
        previous.exchanges = sorted(set(previous.exchanges) | set(result.exchanges))
        previous.requests = {k: previous.requests.get(k, 0) + result.requests.get(k, 0)
                             for k in previous.requests.keys() | result.requests.keys()}
        previous.duration += result.duration
        # A test may set its level while running (judged_as): the later phase knows it.
        previous.level, previous.basis = result.level, result.basis
        # The outcome module's order: a test that fails in its call and errors in teardown failed.
        if verdict_severity(result.verdict) > verdict_severity(previous.verdict):
            previous.verdict, previous.message = result.verdict, result.message

    def requirement_verdicts(self) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for rid, requirement in REQUIREMENTS.items():
            if self.only_requirements and rid not in self.only_requirements:
                continue
            tests = [t for t in self.tests.values() if rid in t.requirements and t.verdict != "observed"]
            verdicts = {t.verdict for t in tests}
            if "fail" in verdicts:
                verdict = "fail"
            elif "error" in verdicts:
                verdict = "error"
            elif "warning" in verdicts:
                verdict = "warning"
            elif "pass" in verdicts or "xfail" in verdicts:
                verdict = "pass" if "pass" in verdicts else "waived"
            elif tests and verdicts == {"not-run"}:
                verdict = "not-run"  # left out for the request budget
            elif tests:
                verdict = "skipped"
            else:
                verdict = "not-run"
            # A SHOULD requirement the profile pins (its tests judged MUST) is a MUST for this target.
            pinned = any(t.level == Level.MUST.value for t in tests)
            table[rid] = {
                "level": Level.MUST.value if pinned else requirement.level.value,
                "title": requirement.title,
                "area": requirement.area,
                "url": requirement.url,
                "basis": requirement.basis,
                "verdict": verdict,
                "tests": [{"nodeid": t.nodeid, "verdict": t.verdict, "level": t.level, "basis": t.basis,
                           "exchanges": t.exchanges, "message": t.message} for t in tests],
            }
        return table

    def exit_code(self, *, strict: bool) -> int:
        if self.suite_errors:
            return ExitCode.ERROR
        table = self.requirement_verdicts()
        if any(row["verdict"] == "fail" for row in table.values()):
            return ExitCode.NOT_CONFORMANT
        if strict and any(row["verdict"] == "warning" for row in table.values()):
            return ExitCode.NOT_CONFORMANT
        # A MUST requirement none of whose tests reached a verdict: the run cannot certify anything.
        if self.stopped or any(row["verdict"] in ("error", "not-run") and row["level"] == Level.MUST.value
                               for row in table.values()):
            return ExitCode.INCOMPLETE
        return ExitCode.CONFORMANT

    def verdict_banner(self, *, strict: bool) -> str:
        return verdict_for(self.exit_code(strict=strict))

    def write_summary(self, path: Path, header: dict[str, Any], *, strict: bool,
                      exit_code: int | None = None) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for test in self.tests.values():
            counts[test.verdict] = counts.get(test.verdict, 0) + 1
        code = self.exit_code(strict=strict) if exit_code is None else exit_code
        summary = {
            "schema": "capillary-conformance-summary/1",
            **header,
            "started": self.started,
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "verdict": verdict_for(code),
            "exit_code": code,
            "strict": strict,
            "counts": counts,
            "suite_errors": self.suite_errors,
            **({"stopped": self.stopped} if self.stopped else {}),
            "requirements": self.requirement_verdicts(),
            "observations": self.observations,
            "tests": [asdict(t) for t in sorted(self.tests.values(), key=lambda t: t.nodeid)],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        return summary


