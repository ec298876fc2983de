"""One step of the main job and what its exit code reads as (codes and their order: conformance.outcome)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.outcome import ExitCode, as_exit_code


@dataclass
class StepResult:
    """One step of the main job: what it returned, in one line a person can act on."""

    name: str
    exit_code: int
    status: str  # passed | failed | error | incomplete | skipped | not run
    detail: str = ""
    seconds: float = 0.0
    # Set when this step makes the later ones meaningless (the suite could not run, or stopped
    # early): the one-line cause. Not part of as_json: the summary carries it as `stopped`.
    stopped_because: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "exit_code": self.exit_code, "status": self.status, "detail": self.detail,
                "seconds": round(self.seconds, 2)}


STEP_STATUSES = {ExitCode.CONFORMANT: "passed", ExitCode.NOT_CONFORMANT: "failed", ExitCode.ERROR: "error",
                 ExitCode.INCOMPLETE: "incomplete"}


def status_for(code: int) -> str:
    """passed / failed / incomplete / error (a crash or a signal counts as an error)."""
    return STEP_STATUSES[as_exit_code(code)]
