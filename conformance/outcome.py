"""The outcome vocabulary every part of the suite shares: exit codes and the one order that combines them.

Neutral core (no pytest, no locust): the conformance plugin, the main job (certify), the client
judge and load all exit with these codes and combine results with `worst`, so "not conformant"
means the same thing whichever program says it.

| code | meaning |
|------|---------|
| 0 | conformant (load: every gate passed) |
| 1 | not conformant: a MUST failed, a SHOULD under --strict, or a load gate failed |
| 2 | error: usage, profile or suite error, or a secret leaked into an artifact |
| 3 | incomplete: the target was unreachable, required tests reached no verdict, an invalid load run |

When results disagree the worst wins, and "worst" is this order: 2 beats 1, 1 beats 3, 3 beats 0.
An error beats everything because nothing else in the run can be trusted; a definite failure beats
an incomplete run because it is the more useful news (a test that failed and then also could not
tear down did fail).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    CONFORMANT = 0
    NOT_CONFORMANT = 1
    ERROR = 2
    INCOMPLETE = 3


# Least to most severe: the order `worst` uses (the table above, in one line).
SEVERITY_ORDER = (ExitCode.CONFORMANT, ExitCode.INCOMPLETE, ExitCode.NOT_CONFORMANT, ExitCode.ERROR)
_SEVERITY = {code: rank for rank, code in enumerate(SEVERITY_ORDER)}


def as_exit_code(code: int) -> ExitCode:
    """Any process's exit code in this vocabulary: anything outside 0-3 (a crash, a signal) is an error."""
    return ExitCode(code) if code in _SEVERITY else ExitCode.ERROR


def severity(code: int) -> int:
    """Where `code` stands in SEVERITY_ORDER (0 = least severe)."""
    return _SEVERITY[as_exit_code(code)]


def worst(codes: Iterable[int]) -> ExitCode:
    """The most severe of `codes` (conformant when there are none)."""
    return max((as_exit_code(code) for code in codes), key=_SEVERITY.__getitem__, default=ExitCode.CONFORMANT)


def verdict_for(code: int) -> str:
    """conformant / not conformant / incomplete: an error certifies nothing, so it reads as incomplete."""
    return {ExitCode.CONFORMANT: "conformant", ExitCode.NOT_CONFORMANT: "not conformant"}.get(
        as_exit_code(code), "incomplete")


# What a test's (or a requirement's) verdict says about the run, so that verdicts combine by the
# same order as exit codes: the setup, call and teardown phases of one test, the tests of one
# requirement. A warning is a SHOULD failure: conformant unless --strict, which the run decides.
VERDICT_OUTCOMES = {
    "pass": ExitCode.CONFORMANT,
    "observed": ExitCode.CONFORMANT,
    "skipped": ExitCode.CONFORMANT,
    "xfail": ExitCode.CONFORMANT,
    "waived": ExitCode.CONFORMANT,
    "warning": ExitCode.CONFORMANT,
    "fail": ExitCode.NOT_CONFORMANT,
    "error": ExitCode.INCOMPLETE,
    "not-run": ExitCode.INCOMPLETE,
}
# Among verdicts with the same outcome, the one that says more wins: a warning over a skip or an
# xfail, those over a pass.
_DETAIL = {"pass": 0, "observed": 1, "skipped": 1, "xfail": 1, "waived": 1, "warning": 2, "fail": 0, "error": 0,
           "not-run": 0}


def verdict_severity(verdict: str) -> tuple[int, int]:
    """A sort key: a test failing in its call and erroring in teardown is a "fail" (1 beats 3)."""
    try:
        return severity(VERDICT_OUTCOMES[verdict]), _DETAIL[verdict]
    except KeyError:
        raise ValueError(f"unknown verdict {verdict!r}; known: {', '.join(VERDICT_OUTCOMES)}") from None

