"""The plans a conformance run can follow, defined once (neutral: no pytest).

Every plan runs every test; plans differ in how many Hypothesis examples a property test draws
and how long the suite may wait for a token to expire. The plugin, the command lines
(capillary-conformance, certify) and the kill and variant matrices all take them from here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from conformance.environment import ENV


@dataclass(frozen=True)
class Plan:
    name: str
    hypothesis_examples: int
    derandomize: bool
    expiry_budget_seconds: float
    # On a rate-limited target the plan fits this many minutes of the busiest key's requests
    # (the default request budget: the per-key limit times these minutes); 0 = no default budget.
    rate_limited_minutes: float = 0.0


PLAN_SETTINGS = {
    # gate: fast and reproducible, for pull requests (2 minutes on a 100/min demo cluster).
    "gate": Plan("gate", 25, True, 15.0, rate_limited_minutes=2.0),
    "certification": Plan("certification", 100, False, 900.0, rate_limited_minutes=10.0),
    # nightly: many examples and long expiry waits are affordable.
    "nightly": Plan("nightly", 400, False, 1800.0),
}
PLANS = tuple(PLAN_SETTINGS)
DEFAULT_PLAN = "certification"
# The matrices run many suites: the fast plan keeps them within CI's budget.
MATRIX_PLAN = "gate"


def plan_name(cli_value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Which plan: `--plan`, then CAP_PLAN, then the default; ValueError names an unknown one."""
    environ = os.environ if environ is None else environ
    name = cli_value or environ.get(ENV["plan"]) or DEFAULT_PLAN
    if name not in PLAN_SETTINGS:
        raise ValueError(f"{ENV['plan']}={name!r} is not one of {', '.join(PLANS)}")
    return name
