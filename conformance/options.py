"""The options of a conformance run, declared once (neutral: no pytest).

The pytest plugin, `capillary-conformance`, `python -m conformance.certify run` and `python -m
load run` declare the options they share from this table (`declare` takes argparse's
`add_argument` or pytest's `addoption`, which accept the same keywords), and the wrappers hand
them on to the suite with `as_arguments`. Precedence is command line > environment (the CAP_*
table in conformance.environment) > profile > default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.environment import ENV
from conformance.plans import DEFAULT_PLAN, PLANS
from conformance.profiles.loader import DEFAULT_PROFILE

DEFAULT_REPORTS_DIR = "reports/conformance"


@dataclass(frozen=True)
class RunOption:
    flag: str
    help: str
    keywords: Mapping[str, Any]
    env: str | None = None  # the environment variable that stands in for it (conformance.environment)
    default_text: str = ""  # what applies when neither the option nor the environment says


RUN_OPTIONS = {
    "profile": RunOption("--profile", "target profile name or path", {"metavar": "NAME|PATH"}, ENV["profile"],
                         f"{DEFAULT_PROFILE}, the embedded reference server"),
    "target": RunOption("--target", "base URL overriding the profile's (its [launch] is then not started)",
                        {"metavar": "URL"}, ENV["target"]),
    "plan": RunOption("--plan", "|".join(PLANS), {"choices": PLANS}, ENV["plan"], DEFAULT_PLAN),
    "seed": RunOption("--seed", "seed of the forged tokens and of Hypothesis", {"type": int}, ENV["seed"],
                      "random, recorded in the summary"),
    "strict": RunOption("--strict", "SHOULD-level failures fail the run", {"action": "store_true"}, ENV["strict"]),
    "destructive": RunOption("--destructive", "run lockout/rate-limit probes", {"action": "store_true"},
                             ENV["destructive"]),
    "reports_dir": RunOption("--reports-dir", "where summary.json and exchanges.jsonl go", {"metavar": "DIR"},
                             ENV["reports"], DEFAULT_REPORTS_DIR),
    "requirement": RunOption("--requirement", "run only the tests of this requirement (repeatable)",
                             {"action": "append", "metavar": "CAP-ID"}),
    "request_budget": RunOption("--request-budget",
                                "plan the run to at most N requests per API key, keeping every MUST covered",
                                {"type": int, "metavar": "N"}, ENV["budget"],
                                "none; on a rate-limited target the plan's minutes at its per-key rate"),
}


def declare(add: Callable[..., Any], names: Iterable[str], *, mention_env: bool = True, **defaults: Any) -> None:
    """Declare the named options with `add`; each default is None unless given (so the environment
    and the profile can still decide). `mention_env=False` for a command that does not read them."""
    for name in names:
        option = RUN_OPTIONS[name]
        default = defaults.get(name)
        notes = [f"env {option.env}"] if mention_env and option.env else []
        notes += [f"default: {default if default is not None else option.default_text}"] if (
            default is not None or option.default_text) else []
        help_text = f"{option.help} ({'; '.join(notes)})" if notes else option.help
        add(option.flag, help=help_text, default=default, **option.keywords)


def as_arguments(values: Mapping[str, Any]) -> list[str]:
    """Options given a value (by name, as in RUN_OPTIONS) as a command line for the suite; None,
    False and empty values are left out, so the suite decides them from its environment."""
    arguments: list[str] = []
    for name, value in values.items():
        option = RUN_OPTIONS[name]
        if value is None or value is False or value == []:
            continue
        if option.keywords.get("action") == "store_true":
            arguments.append(option.flag)
        elif option.keywords.get("action") == "append":
            arguments += [f"{option.flag}={item}" for item in value]
        else:
            arguments.append(f"{option.flag}={value}")
    return arguments
