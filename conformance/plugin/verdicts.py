"""One test phase's verdict: the level it is judged at, SHOULD as a warning, observations.

pytest reports each phase (setup, call, teardown) of a test; this turns a report into the
suite's verdict vocabulary (pass, fail, warning, observed, skipped, xfail, error) and rewrites
the report where the level says so: a SHOULD failure shows as an expected failure unless the
run is strict, an observation never fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance.checks.failures import ConformanceFailure
from conformance.plugin.levels import Judgement
from conformance.requirements import Level


@dataclass(frozen=True)
class PhaseVerdict:
    verdict: str
    message: str  # expected vs received, or the skip reason: redacted by the caller
    observation: str | None = None  # what the target did, for an observation-level test's call


def judge_phase(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
                judged: Judgement, *, strict: bool) -> PhaseVerdict:
    verdict = _verdict(call, report)
    message = ""
    if report.failed and call.excinfo is not None:
        # What was expected and what came back (the failure's own words), not a source location.
        message = f"{call.excinfo.typename}: {call.excinfo.value}"[:500]
    elif report.failed and report.longrepr:
        message = str(report.longrepr).splitlines()[-1][:500]
    observation = None
    if judged.level is Level.OBSERVATION and call.when == "call" and verdict in ("pass", "fail"):
        observation = message if verdict == "fail" else "yes"
        verdict = "observed"
        if report.failed:
            report.outcome = "skipped"
            report.wasxfail = f"observation, not a verdict ({judged.requirement}): {observation}"  # type: ignore[attr-defined]
    elif verdict == "fail" and judged.level is not Level.MUST:
        verdict = "warning"
        if not strict:
            report.outcome = "skipped"
            report.wasxfail = f"SHOULD-level warning ({judged.requirement}); fails only with --strict"  # type: ignore[attr-defined]
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2])
    return PhaseVerdict(verdict, message, observation)


def question(item: pytest.Item) -> str:
    """An observation's question: the test's docstring headline, else its name as a sentence."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    name = getattr(item, "originalname", item.name)
    headline = doc.strip().splitlines()[0] if doc.strip() else name.removeprefix("test_").replace("_", " ")
    callspec = getattr(item, "callspec", None)
    return f"{headline} [{callspec.id}]" if callspec is not None else headline


def _verdict(call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfail" if report.skipped else "fail"  # an xpass of a strict xfail fails
    if report.skipped:
        return "skipped"
    if report.passed:
        return "pass"
    if call.excinfo is None:  # XPASS(strict): a waived deviation that no longer fails
        return "fail"
    if call.excinfo.errisinstance(ConformanceFailure):
        return "fail"  # the target broke the contract, even while a fixture was preparing evidence
    if call.excinfo.errisinstance(AssertionError) and call.when == "call":
        return "fail"
    return "error"
