"""Planning a run to a request budget: what each test will send, and which tests fit.

On a rate-limited cluster the requests a plan needs, and how they fall on keys, are the run's
speed. The suite plans before it sends: each test's cost (requests per key, by role) comes from
`conformance/costs.json`, measured on the reference server (`python -m conformance.budget
--write`); the planner keeps, for every class of attack (a test function, or one ATTACKS case of
the forged tokens), its first case when it is MUST, then adds the rest round-robin across
classes while the budget lasts. What is left out is reported as "not run (budget)", never as a
pass. Hypothesis tests scale their examples to the budget instead of being left out. Neutral:
no pytest (the plugin adapts items to `Candidate`s).
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.plans import PLAN_SETTINGS

COSTS = Path(__file__).resolve().parent / "costs.json"
SUITES = Path(__file__).resolve().parent / "suites"
# A test the table does not know yet: a negative test's usual shape (attack, read, control).
DEFAULT_COST = {"primary": 3.0}
MIN_EXAMPLES = 3
# The cost table is measured with this plan (its Hypothesis examples scale the property tests' costs).
MEASURED_PLAN = PLAN_SETTINGS["gate"]


@dataclass(frozen=True)
class Candidate:
    nodeid: str
    klass: Hashable
    must: bool
    cost: dict[str, float]  # expected requests per key (role)

    @property
    def total(self) -> float:
        return sum(self.cost.values())


@dataclass
class RunPlan:
    budget: int
    selected: list[Candidate] = field(default_factory=list)
    left_out: list[Candidate] = field(default_factory=list)
    hypothesis_examples: int = 0

    @property
    def requests(self) -> float:
        return sum(c.total for c in self.selected)

    def per_key(self) -> dict[str, float]:
        keys: dict[str, float] = {}
        for candidate in self.selected:
            for key, count in candidate.cost.items():
                keys[key] = keys.get(key, 0.0) + count
        return keys

    def wall_seconds(self, per_key_per_minute: int) -> float:
        """The busiest key's requests at the per-key rate: every key is paced on its own."""
        if per_key_per_minute <= 0:
            return 0.0
        return max(self.per_key().values(), default=0.0) * 60.0 / per_key_per_minute

    def describe(self, per_key_per_minute: int) -> dict[str, Any]:
        return {"budget_per_key": self.budget, "planned_requests": round(self.requests),
                "planned_per_key": {k: round(v) for k, v in sorted(self.per_key().items())},
                "estimated_wall_seconds": round(self.wall_seconds(per_key_per_minute), 1),
                "hypothesis_examples": self.hypothesis_examples,
                "not_run_budget": [c.nodeid for c in self.left_out]}


# Of the plan's minutes, the share left for paced requests: preflight, the expiry lane's waits
# and the pacer's own safety margin take the rest.
PACED_SHARE = 0.75


def default_budget(per_key_per_minute: int, minutes: float) -> int | None:
    """On a rate-limited target: what the busiest key may send in the plan's minutes."""
    if per_key_per_minute <= 0 or minutes <= 0:
        return None
    return int(per_key_per_minute * minutes * PACED_SHARE)


def hypothesis_examples(budget: int | None, plan_examples: int) -> int:
    """Examples per property test under a budget: a fiftieth of it, at least MIN_EXAMPLES."""
    if budget is None:
        return plan_examples
    return max(MIN_EXAMPLES, min(plan_examples, budget // 50))


def plan(candidates: Iterable[Candidate], budget: int) -> RunPlan:
    """The budget bounds the requests of each API key: on a cluster that limits each key, the
    busiest key sets the wall time, and requests of different keys do not wait for each other."""
    classes: OrderedDict[Hashable, list[Candidate]] = OrderedDict()
    for candidate in candidates:
        classes.setdefault(candidate.klass, []).append(candidate)
    chosen: list[Candidate] = [members[0] for members in classes.values() if members[0].must]
    spent: dict[str, float] = {}
    for candidate in chosen:
        _spend(spent, candidate)

    def fits(candidate: Candidate) -> bool:
        return all(spent.get(key, 0.0) + count <= budget for key, count in candidate.cost.items())

    # Round-robin: the second case of every class before the third of any, so coverage spreads.
    rounds = max((len(members) for members in classes.values()), default=0)
    for index in range(rounds):
        for members in classes.values():
            if index < len(members) and members[index] not in chosen and fits(members[index]):
                chosen.append(members[index])
                _spend(spent, members[index])
    keep = set(map(id, chosen))
    ordered = [c for members in classes.values() for c in members]
    return RunPlan(budget, [c for c in ordered if id(c) in keep], [c for c in ordered if id(c) not in keep])


def _spend(spent: dict[str, float], candidate: Candidate) -> None:
    for key, count in candidate.cost.items():
        spent[key] = spent.get(key, 0.0) + count


def load_costs(path: Path = COSTS) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"tests": {}}
    return data


def cost_of(costs: dict[str, Any], function: str, examples: int | None = None) -> dict[str, float]:
    """Requests per key one case of `function` sends (times the examples, for a property test)."""
    entry = costs.get("tests", {}).get(function)
    if not entry:
        return dict(DEFAULT_COST)
    per_case = {k: v / max(1, entry["cases"]) for k, v in entry["requests"].items()}
    if entry.get("examples") and examples is not None:
        per_case = {k: v * examples / entry["examples"] for k, v in per_case.items()}
    return {k: math.ceil(v * 10) / 10 for k, v in per_case.items()}


def property_tests(suites: Path = SUITES) -> set[str]:
    """The suites' Hypothesis tests (decorated with @given), found without importing them."""
    found: set[str] = set()
    for module in suites.glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", "") == "given" for d in node.decorator_list):
                found.add(node.name)
    return found


def measure(summary: dict[str, Any], examples: int) -> dict[str, Any]:
    """The cost table from a run's summary.json (requests per key of every test, summed by function)."""
    properties = property_tests()
    tests: dict[str, dict[str, Any]] = {}
    for test in summary.get("tests", []):
        function = test["nodeid"].split("::", 1)[1].split("[", 1)[0]
        entry = tests.setdefault(function, {"cases": 0, "requests": {}})
        entry["cases"] += 1
        for key, count in (test.get("requests") or {}).items():
            entry["requests"][key] = entry["requests"].get(key, 0) + count
        if function in properties:
            entry["examples"] = examples
    return {"measured_with": f"{MEASURED_PLAN.name} plan on the reference server, {examples} Hypothesis examples",
            "tests": dict(sorted(tests.items()))}


def main(argv: list[str] | None = None) -> int:
    """`python -m conformance.budget [--write]`: measure the cost table on the reference server."""
    argv = sys.argv[1:] if argv is None else argv
    examples = MEASURED_PLAN.hypothesis_examples
    with tempfile.TemporaryDirectory() as reports:
        done = subprocess.run([sys.executable, "-m", "conformance.cli", f"--plan={MEASURED_PLAN.name}", "--seed=1",
                               f"--reports-dir={reports}"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout[-2000:] + done.stderr[-2000:], file=sys.stderr)
            return done.returncode
        table = measure(json.loads((Path(reports) / "summary.json").read_text()), examples)
    text = json.dumps(table, indent=1, sort_keys=True) + "\n"
    if "--write" in argv:
        COSTS.write_text(text, encoding="utf-8")
    print(f"{len(table['tests'])} test functions measured" + (f", written to {COSTS}" if "--write" in argv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
