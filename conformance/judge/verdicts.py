"""Findings → requirement verdicts → one exit code, with the same meaning as the server side's.

The exit codes and their severity order come from one place, conformance.outcome: 0 conformant,
1 not conformant, 2 usage/profile error or a leak, 3 incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from conformance.judge.checks import Finding
from conformance.judge.requirements import AREA, CLIENT_REQUIREMENTS, MUST, effective_level
from conformance.outcome import ExitCode

__all__ = ["exit_code", "incomplete_reasons", "requirement_rows"]


def _verdict(finding: Finding, level: str) -> str:
    if finding.outcome == "fail":
        return "fail" if level == MUST else "warning"
    return {"observation": "observed"}.get(finding.outcome, finding.outcome)


def requirement_rows(findings: Iterable[Finding], *, till_declared: bool) -> dict[str, dict[str, Any]]:
    """Rows shaped like the server summary's requirements, so summary.html renders both alike."""
    by_id = {f.requirement: f for f in findings}
    rows: dict[str, dict[str, Any]] = {}
    for rid, requirement in CLIENT_REQUIREMENTS.items():
        level = effective_level(rid, till_declared=till_declared)
        finding = by_id.get(rid) or Finding(rid, "", "not-run", "no check ran")
        verdict = _verdict(finding, level)
        rows[rid] = {
            "level": level, "title": requirement.title, "area": AREA, "url": requirement.url,
            "basis": requirement.basis, "verdict": verdict,
            "tests": [{"nodeid": f"judge::{finding.check}", "verdict": verdict, "message": finding.message,
                       "exchanges": list(finding.exchanges)}],
        }
    return rows


def exit_code(rows: Mapping[str, Mapping[str, Any]], *, strict: bool, incomplete: Sequence[str]) -> int:
    """1 on a MUST failure (or a SHOULD one under --strict); 3 when the run cannot certify; else 0.

    `incomplete` is incomplete_reasons(rows, …): it names every MUST that could not be judged
    (or says the client never called), so an unjudged MUST is never a pass.
    """
    verdicts = [row["verdict"] for row in rows.values()]
    if "fail" in verdicts or (strict and "warning" in verdicts):
        return ExitCode.NOT_CONFORMANT
    if incomplete:
        return ExitCode.INCOMPLETE
    return ExitCode.CONFORMANT


def incomplete_reasons(rows: Mapping[str, Mapping[str, Any]], requests: int, forward_errors: int) -> list[str]:
    reasons = []
    if requests == 0:
        reasons.append("the client never called the judge")
    if forward_errors:
        reasons.append(f"the target could not be reached for {forward_errors} request(s)")
    reasons += [f"{rid} (MUST) could not be judged: {row['tests'][0]['message']}" for rid, row in rows.items()
                if row["verdict"] == "not-run" and row["level"] == MUST and requests]
    return reasons
