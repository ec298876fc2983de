"""Exit codes shared by every step, and how the steps of one run combine into one code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CONFORMANT, NOT_CONFORMANT, ERROR, INCOMPLETE = 0, 1, 2, 3

# Which code wins when steps disagree. An error (a config or suite problem, or a leaked secret)
# beats everything because nothing else in the run can be trusted; a definite failure beats an
# incomplete run because it is the more useful news; this is the suite's own precedence.
_SEVERITY = {CONFORMANT: 0, INCOMPLETE: 1, NOT_CONFORMANT: 2, ERROR: 3}

VERDICTS = {CONFORMANT: "conformant", NOT_CONFORMANT: "not conformant"}


def worst_exit_code(codes: Iterable[int]) -> int:
    """The most severe code; anything outside 0-3 (a crash, a signal) counts as an error."""
    normalised = [code if code in _SEVERITY else ERROR for code in codes]
    return max(normalised, key=_SEVERITY.__getitem__, default=CONFORMANT)


def verdict_for(code: int) -> str:
    """conformant / not conformant / incomplete: an error certifies nothing, so it is incomplete."""
    return VERDICTS.get(code, "incomplete")


@dataclass
class StepResult:
    """One step of the main job: what it returned, in one line a person can act on."""

    name: str
    exit_code: int
    status: str  # passed | failed | error | incomplete | skipped | not run
    detail: str = ""
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "exit_code": self.exit_code, "status": self.status, "detail": self.detail,
                "seconds": round(self.seconds, 2)}


def status_for(code: int) -> str:
    return {CONFORMANT: "passed", NOT_CONFORMANT: "failed", INCOMPLETE: "incomplete"}.get(code, "error")
